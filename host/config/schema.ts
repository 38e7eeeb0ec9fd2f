/**
 * @module
 * The gateway configuration: one TypeBox schema gives the JSON Schema used to validate,
 * the TypeScript types (`GatewayConfig`), and the defaults. docs/configuration.md describes
 * every field; keep the `description`s here short and true.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox'

const Port = Type.Integer({ minimum: 0, maximum: 65535, description: 'TCP port; 0 picks a free one' })
const Host = Type.String({ minLength: 1, default: '127.0.0.1', description: 'interface to bind' })
const DurationMs = (def: number, description: string) => Type.Integer({ minimum: 0, default: def, description })
const Bytes = (def: number, description: string) => Type.Integer({ minimum: 0, default: def, description })

export const TlsSchema = Type.Object(
  {
    cert: Type.String({ minLength: 1, description: 'PEM certificate chain file' }),
    key: Type.String({ minLength: 1, description: 'PEM private key file' }),
  },
  { additionalProperties: false },
)

export const ListenSchema = Type.Object(
  {
    host: Host,
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
    tls: Type.Optional(TlsSchema),
  },
  { additionalProperties: false, default: {} },
)

export const AdminSchema = Type.Object(
  {
    host: Host,
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 9901 }),
    enabled: Type.Boolean({ default: true }),
  },
  { additionalProperties: false, default: {} },
)

export const LogSchema = Type.Object(
  {
    level: Type.Union(
      [Type.Literal('trace'), Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error'), Type.Literal('fatal'), Type.Literal('silent')],
      { default: 'info' },
    ),
    accessLog: Type.Boolean({ default: true, description: 'one JSON line per request' }),
  },
  { additionalProperties: false, default: {} },
)

export const LimitsSchema = Type.Object(
  {
    maxRequestHeadersBytes: Bytes(16384, 'larger request headers get 431'),
    maxRequestBodyBytes: Bytes(0, 'larger request bodies get 413; 0 means no limit'),
    maxBufferedBodyBytes: Bytes(1048576, 'most body bytes buffered for a filter that pauses on a body callback'),
    requestHeadersTimeoutMs: DurationMs(60000, 'time a client has to send its request headers'),
    keepAliveTimeoutMs: DurationMs(5000, 'idle downstream keep-alive connections are closed after this'),
  },
  { additionalProperties: false, default: {} },
)

export const ProxyHeadersSchema = Type.Object(
  {
    via: Type.Optional(Type.String({ minLength: 1, description: 'value appended to the via header, e.g. "1.1 wasmgate"' })),
    requestId: Type.Boolean({ default: true, description: 'generate x-request-id when absent and echo it on the response' }),
    xForwarded: Type.Boolean({ default: true, description: 'append x-forwarded-for/-proto/-host' }),
  },
  { additionalProperties: false, default: {} },
)

export const PathsSchema = Type.Object(
  {
    normalize: Type.Boolean({ default: true, description: 'RFC 3986 normalization of request paths before routing and filters (dot segments, escapes of unreserved characters, backslashes)' }),
    mergeSlashes: Type.Boolean({ default: true, description: 'with normalize: runs of / become one' }),
  },
  { additionalProperties: false, default: {} },
)

export const ShutdownSchema = Type.Object(
  {
    drainTimeoutMs: DurationMs(10000, 'in-flight requests get this long to finish after SIGTERM'),
  },
  { additionalProperties: false, default: {} },
)

export const LbPolicySchema = Type.Union([Type.Literal('round_robin'), Type.Literal('least_request'), Type.Literal('random')], {
  default: 'round_robin',
})

export const RetryOnSchema = Type.Union([
  Type.Literal('connect-failure'),
  Type.Literal('reset'),
  Type.Literal('timeout'),
  Type.Literal('502'),
  Type.Literal('503'),
  Type.Literal('504'),
])

export const ClusterSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9_.-]+$' }),
    endpoints: Type.Array(Type.String({ pattern: '^https?://', description: 'http(s)://host:port' }), { minItems: 1 }),
    lb: LbPolicySchema,
    timeouts: Type.Object(
      {
        connectMs: DurationMs(5000, 'TCP+TLS connect timeout'),
        requestMs: DurationMs(30000, 'whole request, all tries; 0 means none'),
        idleMs: DurationMs(60000, 'no bytes from upstream for this long aborts the response'),
      },
      { additionalProperties: false, default: {} },
    ),
    retries: Type.Object(
      {
        maxTries: Type.Integer({ minimum: 1, maximum: 10, default: 1, description: 'total attempts; 1 means no retry' }),
        perTryTimeoutMs: DurationMs(0, 'timeout of one attempt; 0 means only timeouts.requestMs'),
        retryOn: Type.Array(RetryOnSchema, { default: ['connect-failure', 'reset', '502', '503', '504'] }),
      },
      { additionalProperties: false, default: {} },
    ),
    healthCheck: Type.Optional(
      Type.Object(
        {
          path: Type.String({ default: '/', pattern: '^/' }),
          intervalMs: Type.Integer({ minimum: 10, default: 5000 }),
          timeoutMs: Type.Integer({ minimum: 1, default: 1000 }),
          healthyThreshold: Type.Integer({ minimum: 1, default: 2 }),
          unhealthyThreshold: Type.Integer({ minimum: 1, default: 3 }),
          expectedStatuses: Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), { default: [] , description: 'empty means any 2xx' }),
        },
        { additionalProperties: false },
      ),
    ),
    outlierDetection: Type.Optional(
      Type.Object(
        {
          consecutive5xx: Type.Integer({ minimum: 1, default: 5 }),
          baseEjectionMs: Type.Integer({ minimum: 1, default: 30000 }),
          maxEjectionPercent: Type.Integer({ minimum: 0, maximum: 100, default: 50 }),
        },
        { additionalProperties: false },
      ),
    ),
    limits: Type.Object(
      {
        maxConnections: Type.Integer({ minimum: 1, default: 1024, description: 'per endpoint' }),
        maxPendingRequests: Type.Integer({ minimum: 0, default: 1024, description: 'requests waiting for a connection, whole cluster' }),
        maxRequests: Type.Integer({ minimum: 1, default: 4096, description: 'requests in flight, whole cluster' }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
)

export const FailurePolicySchema = Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('reload')], {
  default: 'closed',
})

export const FilterSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9_.-]+$' }),
    source: Type.String({ minLength: 1, description: 'path | oci://REF | https://URL' }),
    sha256: Type.Optional(Type.String({ pattern: '^(sha256:)?[0-9a-f]{64}$' })),
    rootId: Type.Optional(Type.String()),
    vmId: Type.Optional(Type.String({ description: 'filters with the same vmId share shared data and queues' })),
    config: Type.Optional(Type.Unknown({ description: 'object/array become JSON bytes; a string is passed raw' })),
    vmConfig: Type.Optional(Type.Unknown({ description: 'bytes for proxy_on_vm_start; same encoding as config' })),
    failurePolicy: FailurePolicySchema,
    pullPolicy: Type.Union([Type.Literal('IfNotPresent'), Type.Literal('Always')], { default: 'IfNotPresent' }),
    env: Type.Record(Type.String(), Type.String(), { default: {}, description: 'WASI environment seen by the filter' }),
  },
  { additionalProperties: false },
)

export const HeaderMatchSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    value: Type.Optional(Type.String()),
    regex: Type.Optional(Type.String()),
    present: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)

export const RouteSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1 })),
    match: Type.Object(
      {
        prefix: Type.Optional(Type.String({ pattern: '^/' })),
        path: Type.Optional(Type.String({ pattern: '^/' })),
        host: Type.Optional(Type.String({ minLength: 1, description: 'exact, or *.example.com' })),
        method: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })])),
        headers: Type.Optional(Type.Array(HeaderMatchSchema)),
      },
      { additionalProperties: false, default: {} },
    ),
    cluster: Type.Optional(Type.String({ minLength: 1 })),
    filters: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
    rewrite: Type.Optional(
      Type.Object(
        {
          prefix: Type.Optional(Type.String({ description: 'replaces the matched prefix' })),
          host: Type.Optional(Type.String({ minLength: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
    directResponse: Type.Optional(
      Type.Object(
        {
          status: Type.Integer({ minimum: 100, maximum: 599 }),
          body: Type.Optional(Type.String()),
          headers: Type.Record(Type.String(), Type.String(), { default: {} }),
        },
        { additionalProperties: false },
      ),
    ),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 0, description: 'overrides the cluster requestMs' })),
  },
  { additionalProperties: false },
)

export const ReloadSchema = Type.Object(
  {
    watchConfig: Type.Boolean({ default: false, description: 'reload the config file when it changes' }),
    watchFilters: Type.Boolean({ default: false, description: 'reload a filter when its .wasm file changes' }),
    ociPollMs: Type.Integer({ minimum: 0, default: 0, description: 'check oci:// tags this often; 0 means never' }),
  },
  { additionalProperties: false, default: {} },
)

export const WorkersSchema = Type.Object(
  {
    stallTimeoutMs: DurationMs(10000, 'with --workers N: a worker whose event loop sends no heartbeat for this long is killed and replaced; 0 means never'),
  },
  { additionalProperties: false, default: {} },
)

export const GatewayConfigSchema = Type.Object(
  {
    listen: ListenSchema,
    admin: AdminSchema,
    log: LogSchema,
    limits: LimitsSchema,
    proxyHeaders: ProxyHeadersSchema,
    paths: PathsSchema,
    shutdown: ShutdownSchema,
    reload: ReloadSchema,
    workers: WorkersSchema,
    clusters: Type.Array(ClusterSchema, { default: [] }),
    filters: Type.Array(FilterSchema, { default: [] }),
    routes: Type.Array(RouteSchema, { default: [] }),
  },
  { additionalProperties: false },
)

export type GatewayConfig = Static<typeof GatewayConfigSchema>
export type ClusterConfig = Static<typeof ClusterSchema>
export type FilterConfig = Static<typeof FilterSchema>
export type RouteConfig = Static<typeof RouteSchema>
export type HeaderMatchConfig = Static<typeof HeaderMatchSchema>
export type LbPolicy = Static<typeof LbPolicySchema>
export type FailurePolicy = Static<typeof FailurePolicySchema>
export type AnySchema = TSchema
