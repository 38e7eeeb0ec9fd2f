/**
 * @module
 * A FilterRuntime (host/filter/contract.ts) that runs the plain-TypeScript twins of the four
 * production filters (./ts-filters/) as in-process hooks instead of Wasm modules. Handed to
 * createGateway as `filterRuntimeForTesting`, it puts the TS logic on exactly the server path
 * the Wasm chain uses (FilteredStream, the same decode/encode calls), so the bench's
 * `wasmgate-ts4` row differs from `wasmgate-4filters` only in how the filters run.
 *
 * Order follows Envoy's: request hooks 1..n, response hooks n..1, end-of-request hooks at destroy.
 * No twin reads bodies, but the server path must not differ: the Wasm auth module exports
 * proxy_on_request_body (for ext authz), so a chain holding it gets request bodies through
 * decodeData, and this runtime asks for them the same way (passed straight through).
 */
import type { Logger } from 'pino'
import type { FilterConfig } from '../../host/config/schema.ts'
import type { FilterChain, FilterStream, StreamInfo, StreamSink } from '../../host/filter/contract.ts'
import type { HeaderMap } from '../../host/filter/header-map.ts'
import type { FilterRuntime, FilterRuntimeDeps } from '../../host/filter/runtime.ts'
import { createAuth, type AuthConfig } from './ts-filters/auth.ts'
import { createHeaderRewrite, type HeaderRewriteConfig } from './ts-filters/header-rewrite.ts'
import { createRateLimit, type RateLimitConfig } from './ts-filters/rate-limit.ts'
import { createTelemetry, type TelemetryConfig } from './ts-filters/telemetry.ts'

/** One request as every twin sees it: a view over the request HeaderMap. */
interface HookRequest {
  method: string
  path: string
  authority: string
  scheme: string
  readonly sourceAddress: string
  readonly routeName: string
  readonly requestId: string
  readonly headers: HeaderMap
  header(name: string): string | undefined
  setHeader(name: string, value: string): void
}

type Reply = { status: number; headers: Array<[string, string]>; body: string }

/** A twin adapted to the stream: onRequest may answer (a reply), its state comes back later. */
interface Hook {
  /** Whether the Wasm module this twin mirrors exports a request body/trailers callback. */
  readonly wasmWantsRequestBody?: boolean
  onRequest(req: HookRequest): { reply?: Reply | undefined; state?: unknown }
  onResponse?(state: unknown, req: HookRequest, headers: HeaderMap): void
  onEnd?(state: unknown, info: StreamInfo): void
}

function configOf<T>(f: FilterConfig): T {
  const c = (f as { config?: unknown }).config
  return (typeof c === 'string' ? JSON.parse(c) : (c ?? {})) as T
}

function makeHook(f: FilterConfig, deps: FilterRuntimeDeps, log: Logger): Hook {
  switch (f.name) {
    case 'auth': {
      const auth = createAuth(configOf<AuthConfig>(f))
      return {
        wasmWantsRequestBody: true,
        onRequest(req) {
          const v = auth.onRequest(req)
          if (v.reply) return { reply: v.reply }
          for (const n of v.removeHeaders ?? []) req.headers.remove(n)
          for (const [n, value] of v.setHeaders ?? []) req.headers.set(n, value)
          return {}
        },
      }
    }
    case 'header-rewrite': {
      const rw = createHeaderRewrite(configOf<HeaderRewriteConfig>(f))
      type State = ReturnType<typeof rw.onRequest>
      return {
        onRequest: (req) => ({ state: rw.onRequest(req) }),
        onResponse: (state, req, headers) => rw.onResponse(state as State, req, headers),
      }
    }
    case 'rate-limit': {
      const rl = createRateLimit(configOf<RateLimitConfig>(f), f.name)
      type State = ReturnType<typeof rl.onRequest>
      return {
        onRequest(req) {
          const v = rl.onRequest(req)
          return v.reply ? { reply: v.reply } : { state: v }
        },
        onResponse: (state, _req, headers) => rl.onResponse(state as State, (n, value) => headers.set(n, value)),
      }
    }
    case 'telemetry': {
      // Access-log lines go to the gateway's logger at info, where the Wasm filter's proxy_log goes;
      // like the filter, the line is only built when info is logged.
      const tel = createTelemetry(configOf<TelemetryConfig>(f), deps.metrics, (line) => log.info(line), () => {}, () => log.isLevelEnabled('info'))
      type State = ReturnType<typeof tel.onRequest>
      return {
        onRequest: (req) => ({ state: tel.onRequest(req) }),
        onEnd(state, info) {
          const s = state as State
          s.status = info.responseCode
          tel.onEnd(s, { requestBytes: info.requestBodyBytes, responseBytes: info.responseBodyBytes })
        },
      }
    }
    default:
      throw new Error(`no TypeScript twin for filter "${f.name}" (known: auth, header-rewrite, rate-limit, telemetry)`)
  }
}

class HookStream implements FilterStream {
  readonly wantsRequestBody: boolean
  readonly wantsResponseBody = false
  // Like Envoy's native filters, host hooks leave the route as it was chosen.
  readonly isRouteCacheCleared = false
  readonly #hooks: readonly Hook[]
  readonly #info: StreamInfo
  readonly #sink: StreamSink
  readonly #states: unknown[] = []
  #req: HookRequest | undefined
  /** The request was answered locally: nothing more goes upstream. */
  #isReplied = false

  constructor(hooks: readonly Hook[], info: StreamInfo, sink: StreamSink) {
    this.#hooks = hooks
    this.#info = info
    this.#sink = sink
    this.wantsRequestBody = hooks.some((h) => h.wasmWantsRequestBody === true)
  }

  decodeHeaders(headers: HeaderMap, endOfStream: boolean): void {
    const info = this.#info
    const req: HookRequest = {
      method: headers.get(':method') ?? 'GET',
      path: headers.get(':path') ?? '/',
      authority: headers.get(':authority') ?? '',
      scheme: headers.get(':scheme') ?? 'http',
      sourceAddress: `${info.sourceAddress}:${info.sourcePort}`,
      routeName: info.routeName,
      requestId: info.requestId,
      headers,
      header: (n) => headers.get(n),
      setHeader: (n, v) => headers.set(n, v),
    }
    this.#req = req
    try {
      for (const hook of this.#hooks) {
        const r = hook.onRequest(req)
        this.#states.push(r.state)
        if (r.reply) {
          this.#isReplied = true
          return this.#sink.sendLocalReply(r.reply.status, r.reply.headers, r.reply.body, 'ts hook reply')
        }
      }
    } catch (err) {
      this.#isReplied = true
      return this.#sink.failStream('WG_ERR_FILTER_TRAPPED', String(err))
    }
    this.#sink.sendRequestHeaders(headers, endOfStream)
  }

  decodeData(chunk: Uint8Array, endOfStream: boolean): void {
    if (!this.#isReplied) this.#sink.sendRequestData(chunk, endOfStream)
  }

  decodeTrailers(trailers: HeaderMap): void {
    if (!this.#isReplied) this.#sink.sendRequestTrailers(trailers)
  }

  encodeHeaders(headers: HeaderMap, endOfStream: boolean): void {
    const req = this.#req
    if (req !== undefined) {
      try {
        for (let i = this.#states.length - 1; i >= 0; i--) this.#hooks[i]?.onResponse?.(this.#states[i], req, headers)
      } catch (err) {
        return this.#sink.failStream('WG_ERR_FILTER_TRAPPED', String(err))
      }
    }
    this.#sink.sendResponseHeaders(headers, endOfStream)
  }

  encodeData(chunk: Uint8Array, endOfStream: boolean): void {
    this.#sink.sendResponseData(chunk, endOfStream)
  }

  encodeTrailers(trailers: HeaderMap): void {
    this.#sink.sendResponseTrailers(trailers)
  }

  destroy(): void {
    for (let i = 0; i < this.#states.length; i++) this.#hooks[i]?.onEnd?.(this.#states[i], this.#info)
    this.#states.length = 0
  }
}

/** Same signature as createFilterRuntime: pass it as createGateway's `filterRuntimeForTesting`. */
export async function createTsHooksRuntime(filters: readonly FilterConfig[], deps: FilterRuntimeDeps): Promise<FilterRuntime> {
  const hooks = new Map(filters.map((f) => [f.name, makeHook(f, deps, deps.logger.child({ filter: f.name }))]))
  const chains = new Map<string, FilterChain>()
  return {
    chainFor(filterNames: readonly string[]): FilterChain {
      const key = filterNames.join('\0')
      let chain = chains.get(key)
      if (chain === undefined) {
        const list = filterNames.map((n) => {
          const h = hooks.get(n)
          if (h === undefined) throw new Error(`route names filter "${n}", which is not configured`)
          return h
        })
        chain = { filterNames, createStream: (info, sink) => new HookStream(list, info, sink) }
        chains.set(key, chain)
      }
      return chain
    },
    async close() {},
  }
}
