/**
 * @module
 * The one table of wasmgate error codes, and the one error class.
 *
 * Code branches on `err.code`, never on message text. Every code here is documented in
 * docs/errors.md; test/unit/errors.test.ts fails when the two drift apart.
 */

export interface ErrorSpec {
  /** What went wrong, as a template: `%s` is replaced by the arguments in order. */
  readonly message: string
  /** How to fix it. */
  readonly hint: string
  /** The status a client sees when this error ends a request, if it ever does. */
  readonly httpStatus?: number
}

export const errorCodes = {
  // CONFIG
  WG_ERR_CONFIG_INVALID: { message: 'invalid configuration: %s', hint: 'fix each listed path; see docs/configuration.md', httpStatus: 400 },
  WG_ERR_CONFIG_READ: { message: 'cannot read config file %s: %s', hint: 'check the path given to --config and its permissions' },
  WG_ERR_CONFIG_PARSE: { message: 'config file %s is not valid YAML: %s', hint: 'fix the YAML syntax at the reported line' },
  WG_ERR_CONFIG_REFERENCE: { message: '%s', hint: 'every route must name a defined cluster and defined filters' },
  WG_ERR_CONFIG_RESTART_REQUIRED: { message: 'config reload cannot change %s', hint: 'restart the proxy to apply listener, admin and server limit changes; the rest of the reload was applied' },

  // WASM (bad module bytes)
  WG_ERR_WASM_INVALID: { message: 'not a valid WebAssembly module: %s', hint: 'build the filter again; check the file is the .wasm output and not truncated', httpStatus: 422 },
  WG_ERR_WASM_ABI_UNSUPPORTED: { message: 'module exports no supported proxy-wasm ABI marker (%s)', hint: 'export proxy_abi_version_0_2_1, proxy_abi_version_0_2_0 or proxy_abi_version_0_1_0 (every proxy-wasm SDK does)', httpStatus: 422 },
  WG_ERR_WASM_MISSING_EXPORT: { message: 'module lacks required export(s): %s', hint: 'export malloc or proxy_on_memory_allocate (the SDKs do this for you)', httpStatus: 422 },
  WG_ERR_WASM_UNKNOWN_IMPORT: { message: 'module imports what this host does not provide: %s', hint: 'build against proxy-wasm ABI 0.2.1 and WASI preview1 only', httpStatus: 422 },
  WG_ERR_WASM_SHA256_MISMATCH: { message: 'module sha256 is %s, expected %s', hint: 'update the sha256 in the config, or check the source was not tampered with', httpStatus: 422 },
  WG_ERR_WASM_SOURCE: { message: 'cannot load module from %s: %s', hint: 'check the source path or URL', httpStatus: 422 },

  // VM (instance lifecycle)
  WG_ERR_VM_INSTANTIATE: { message: 'cannot instantiate module for filter %s: %s', hint: 'the module trapped while starting; run it with `wasmgate test` to see the abort message', httpStatus: 422 },
  WG_ERR_VM_ALLOCATOR: { message: 'the guest allocator of filter %s failed: %s', hint: 'the module\'s malloc returned 0 or trapped; it may be out of memory' },

  // FILTER (per plugin / per request)
  WG_ERR_FILTER_START_FAILED: { message: 'filter %s: proxy_on_vm_start %s', hint: 'check the vmConfig the filter expects; its log lines say why it refused', httpStatus: 422 },
  WG_ERR_FILTER_CONFIGURE_FAILED: { message: 'filter %s: proxy_on_configure %s', hint: 'check the filter\'s config against its README; its log lines name the wrong field', httpStatus: 422 },
  WG_ERR_FILTER_TRAPPED: { message: 'filter %s trapped in %s: %s', hint: 'a bug in the filter; the log has the abort message and location', httpStatus: 503 },
  WG_ERR_FILTER_DEADLINE: { message: 'filter %s exceeded its %s ms budget in %s', hint: 'the filter looped or did too much work in one callback', httpStatus: 503 },
  WG_ERR_FILTER_UNAVAILABLE: { message: 'filter %s is failed and not serving (%s)', hint: 'reload the filter, or set failurePolicy: reload', httpStatus: 503 },
  WG_ERR_FILTER_NOT_FOUND: { message: 'no filter named %s', hint: 'GET /filters lists the loaded filters', httpStatus: 404 },
  WG_ERR_FILTER_BUFFER_LIMIT: { message: 'filter %s buffered more than %s bytes of %s body', hint: 'raise limits.maxBufferedBodyBytes or make the filter continue on partial bodies', httpStatus: 413 },

  // ABI (host-side view of guest misuse; counted, rarely surfaced)
  WG_ERR_ABI_HOSTCALL: { message: 'hostcall %s failed in the host: %s', hint: 'a wasmgate bug; please report it with the log line' },

  // UPSTREAM
  WG_ERR_UPSTREAM_CONNECT: { message: 'cannot connect to upstream %s: %s', hint: 'check the cluster endpoints are up and reachable', httpStatus: 502 },
  WG_ERR_UPSTREAM_RESET: { message: 'upstream %s closed the connection: %s', hint: 'the upstream crashed or closed early; check its logs', httpStatus: 502 },
  WG_ERR_UPSTREAM_TIMEOUT: { message: 'upstream %s did not answer within %s ms', hint: 'raise the cluster\'s timeouts or fix the slow upstream', httpStatus: 504 },
  WG_ERR_UPSTREAM_UNHEALTHY: { message: 'cluster %s has no healthy endpoint', hint: 'check health checks and the endpoints\' logs', httpStatus: 503 },
  WG_ERR_UPSTREAM_OVERFLOW: { message: 'cluster %s is over its %s limit', hint: 'raise the cluster\'s limits or add endpoints', httpStatus: 503 },
  WG_ERR_UPSTREAM_PROTOCOL: { message: 'upstream %s sent an invalid response: %s', hint: 'the upstream does not speak valid HTTP/1.1', httpStatus: 502 },

  // REQUEST (downstream client)
  WG_ERR_REQUEST_MALFORMED: { message: 'malformed request: %s', hint: 'send valid HTTP/1.1', httpStatus: 400 },
  WG_ERR_REQUEST_NO_ROUTE: { message: 'no route matches %s %s', hint: 'add a route for this host and path', httpStatus: 404 },
  WG_ERR_REQUEST_BODY_TOO_LARGE: { message: 'request body is larger than %s bytes', hint: 'send a smaller body or raise limits.maxRequestBodyBytes', httpStatus: 413 },
  WG_ERR_REQUEST_HEADERS_TOO_LARGE: { message: 'request headers are larger than %s bytes', hint: 'send fewer or smaller headers or raise limits.maxRequestHeadersBytes', httpStatus: 431 },
  WG_ERR_REQUEST_TIMEOUT: { message: 'the client did not send the request within %s ms', hint: 'the client is too slow or stalled', httpStatus: 408 },

  // OCI
  WG_ERR_OCI_REFERENCE: { message: 'invalid image reference %s: %s', hint: 'use REGISTRY/REPOSITORY:TAG or REGISTRY/REPOSITORY@sha256:DIGEST' },
  WG_ERR_OCI_AUTH: { message: 'registry %s refused the credentials: %s', hint: 'run `wasmgate login REGISTRY` or set WASMGATE_REGISTRY_USERNAME/PASSWORD' },
  WG_ERR_OCI_NOT_FOUND: { message: '%s not found in registry: %s', hint: 'check the repository and tag exist (`wasmgate pull` lists tags on failure)' },
  WG_ERR_OCI_DIGEST_MISMATCH: { message: 'content of %s has digest %s, expected %s', hint: 'the registry or a proxy served corrupted or tampered content' },
  WG_ERR_OCI_FORMAT: { message: 'image %s is not a Wasm filter image: %s', hint: 'push it with `wasmgate push`, or use an image in a supported format (solo oci, compat, CNCF)' },
  WG_ERR_OCI_REGISTRY: { message: 'registry %s answered %s: %s', hint: 'check the registry is up and the URL is right' },
  WG_ERR_OCI_INSECURE: { message: 'refusing plain http to %s', hint: 'use https, or pass --insecure for a registry you trust (localhost is allowed)' },
  WG_ERR_OCI_UNREACHABLE: { message: 'cannot reach registry %s: %s', hint: 'check the registry host and port, its TLS certificate (--ca-file), and your network' },
  WG_ERR_OCI_SIZE_MISMATCH: { message: 'content of %s is %s bytes, expected %s', hint: 'the registry or a proxy served truncated or tampered content' },
  WG_ERR_OCI_CREDENTIALS: { message: 'cannot read credentials for %s: %s', hint: 'check ~/.docker/config.json (or $DOCKER_CONFIG) and that its credential helper is installed' },
  WG_ERR_OCI_CACHE: { message: 'OCI cache at %s: %s', hint: 'check WASMGATE_CACHE_DIR points at a writable directory' },

  // ADMIN
  WG_ERR_ADMIN_BAD_REQUEST: { message: 'bad admin request: %s', hint: 'see docs/admin.md for the admin API', httpStatus: 400 },
  WG_ERR_ADMIN_NOT_FOUND: { message: 'no admin endpoint at %s', hint: 'see docs/admin.md for the admin API', httpStatus: 404 },
  WG_ERR_ADMIN_INTERNAL: { message: 'admin handler failed: %s', hint: 'a wasmgate bug; please report it with the log line', httpStatus: 500 },
  WG_ERR_ADMIN_UNREACHABLE: { message: 'cannot reach the admin API at %s: %s', hint: 'check the proxy is running and --admin points at its admin port' },
  WG_ERR_ADMIN_TOO_LARGE: { message: 'admin request body larger than %s bytes', hint: 'filters this large are not supported through the admin API; point source at a file or an OCI image', httpStatus: 413 },
  WG_ERR_ADMIN_WORKER: { message: 'worker %s did not answer the admin request: %s', hint: 'the worker may be stalled or restarting; check the log and retry', httpStatus: 502 },
  WG_ERR_ADMIN_NO_WORKERS: { message: 'no worker is ready to answer the admin request', hint: 'the workers are starting or restarting; retry once GET /ready answers 200', httpStatus: 503 },

  // CLI
  WG_ERR_CLI_USAGE: { message: '%s', hint: 'run `wasmgate --help`' },
  WG_ERR_CLI_BUILD: { message: 'build failed: %s', hint: 'fix the compiler errors above (file:line)' },
  WG_ERR_CLI_EXISTS: { message: '%s already exists', hint: 'choose another name or directory' },
  WG_ERR_CLI_TEST_TIMEOUT: { message: 'the request did not complete within %s ms', hint: 'the filter paused the request and never resumed it; its log lines above say where (raise --timeout-ms if it waits on purpose)' },

  // SERVER
  WG_ERR_SERVER_LISTEN: { message: 'cannot listen on %s: %s', hint: 'the port may be in use; choose another in listen/admin' },
  WG_ERR_SERVER_TLS: { message: 'cannot load TLS material: %s', hint: 'check listen.tls.cert and listen.tls.key are readable PEM files' },
} as const satisfies Record<string, ErrorSpec>

export type ErrorCode = keyof typeof errorCodes

const kBrand = Symbol.for('wasmgate.error')

export interface WasmgateErrorOptions {
  cause?: unknown
  /** Structured details (e.g. every schema error of a config); JSON-safe. */
  details?: unknown
  /** Overrides the table's message (the args are then ignored). */
  message?: string
}

export class WasmgateError extends Error {
  readonly code: ErrorCode
  readonly hint: string
  readonly httpStatus: number | undefined
  readonly details: unknown

  constructor(code: ErrorCode, args: ReadonlyArray<string | number> = [], options: WasmgateErrorOptions = {}) {
    const spec: ErrorSpec = errorCodes[code]
    super(options.message ?? formatMessage(spec.message, args), options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'WasmgateError'
    this.code = code
    this.hint = spec.hint
    this.httpStatus = spec.httpStatus
    this.details = options.details
  }

  /** True for any WasmgateError, even one made by another copy of this module. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kBrand] === true
  }

  toJSON(): { code: ErrorCode; message: string; hint: string } {
    return { code: this.code, message: this.message, hint: this.hint }
  }
}

Object.defineProperty(WasmgateError.prototype, kBrand, { value: true })

function formatMessage(template: string, args: ReadonlyArray<string | number>): string {
  let i = 0
  return template.replace(/%s/g, () => (i < args.length ? String(args[i++]) : '?'))
}

export function isWasmgateError(value: unknown, code?: ErrorCode): value is WasmgateError {
  return value instanceof WasmgateError && (code === undefined || value.code === code)
}
