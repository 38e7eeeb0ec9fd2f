/**
 * @module
 * The telemetry filter's per-request logic as plain TypeScript, to compare the Wasm filter with
 * the same work done in the host (filters/telemetry is the reference; same config format, same
 * metric names and labels, same access-log fields, same traceparent handling, same OTLP JSON).
 * Metrics go to a prom-client Registry as the host's would. Wire it to a host hook API as:
 *
 *   const tel = createTelemetry(config, registry, log, send)
 *   const state = tel.onRequest(req)                  // sets traceparent and the request id
 *   afterResponse((status) => (state.status = status))
 *   onRequestEnd(() => tel.onEnd(state, { requestBytes, responseBytes }))
 *   setInterval(() => tel.flush(), flushIntervalMs)   // sends queued spans with `send(json)`
 *
 * Config validation is minimal here (the Wasm filter checks every field).
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { Counter, Histogram, type Registry } from 'prom-client'

export interface TelemetryRequest {
  readonly method: string
  readonly path: string
  readonly authority: string
  readonly scheme: string
  readonly sourceAddress: string
  readonly routeName: string
  header(name: string): string | undefined
  setHeader(name: string, value: string): void
}

export interface TelemetryConfig {
  metrics?: { enabled?: boolean; prefix?: string }
  accessLog?: { enabled?: boolean; format?: 'json' | 'text'; fields?: string[] }
  tracing?: { enabled?: boolean; requestIdHeader?: string; sampleRatio?: number; serviceName?: string; cluster?: string; maxBatchSize?: number; maxQueueSize?: number }
}

export interface RequestState {
  readonly req: TelemetryRequest
  readonly startNs: bigint
  readonly method: string
  readonly path: string
  traceId: string
  spanId: string
  parentId: string
  sampled: boolean
  requestId: string
  status: number
}

const DEFAULT_FIELDS = ['start_time', 'method', 'path', 'status', 'duration_ms', 'request_bytes', 'response_bytes', 'client_address', 'route', 'request_id', 'trace_id', 'user_agent']
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/
const CLASSES = ['none', '1xx', '2xx', '3xx', '4xx', '5xx']
const BUCKETS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000]
const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n)

/** `logEnabled` is the host's "is info logged?": like the filter (log.level() <= Info), no line is built when not. */
export function createTelemetry(config: TelemetryConfig, registry: Registry, log: (line: string) => void, send: (json: string) => void, logEnabled: () => boolean = () => true) {
  const prefix = `wasmcustom_${config.metrics?.prefix ?? 'http'}`
  const metricsOn = config.metrics?.enabled ?? true
  const requests = new Counter({ name: `${prefix}_requests_total`, help: 'requests', labelNames: ['route', 'class'], registers: [registry] })
  const duration = new Histogram({ name: `${prefix}_request_duration_ms`, help: 'duration', labelNames: ['route'], buckets: BUCKETS, registers: [registry] })
  const reqBytes = new Histogram({ name: `${prefix}_request_bytes`, help: 'request bytes', labelNames: ['route'], buckets: BUCKETS, registers: [registry] })
  const resBytes = new Histogram({ name: `${prefix}_response_bytes`, help: 'response bytes', labelNames: ['route'], buckets: BUCKETS, registers: [registry] })
  const logOn = config.accessLog?.enabled ?? true
  const json = (config.accessLog?.format ?? 'json') === 'json'
  const fields = config.accessLog?.fields ?? DEFAULT_FIELDS
  const tracing = config.tracing ?? {}
  const traceOn = tracing.enabled ?? true
  const idHeader = tracing.requestIdHeader ?? 'x-request-id'
  const ratio = tracing.sampleRatio ?? 1
  const exporting = traceOn && tracing.cluster !== undefined
  const queue: object[] = []

  function value(field: string, s: RequestState, end: { requestBytes: number; responseBytes: number }, durNs: bigint): string | number {
    switch (field) {
      case 'start_time': return new Date(Number(s.startNs / 1_000_000n)).toISOString()
      case 'method': return s.method
      case 'path': return s.path
      case 'status': return s.status
      case 'duration_ms': return Number(durNs / 1000n) / 1000
      case 'request_bytes': return end.requestBytes
      case 'response_bytes': return end.responseBytes
      case 'client_address': return s.req.sourceAddress
      case 'route': return s.req.routeName
      case 'request_id': return s.requestId
      case 'trace_id': return s.traceId
      case 'span_id': return s.spanId
      case 'user_agent': return s.req.header('user-agent') ?? ''
      case 'authority': return s.req.authority
      default: return field.startsWith('req:') ? (s.req.header(field.slice(4)) ?? '') : ''
    }
  }

  return {
    onRequest(req: TelemetryRequest): RequestState {
      const s: RequestState = { req, startNs: nowNs(), method: req.method, path: req.path, traceId: '', spanId: '', parentId: '', sampled: false, requestId: '', status: 0 }
      if (!traceOn) return s
      const m = TRACEPARENT.exec(req.header('traceparent') ?? '')
      const valid = m !== null && m[1] !== 'ff' && !/^0+$/.test(m[2] as string) && !/^0+$/.test(m[3] as string) && (m[1] !== '00' || m[5] === undefined)
      if (valid) {
        s.traceId = m[2] as string
        s.parentId = m[3] as string
        s.sampled = (parseInt(m[4] as string, 16) & 1) === 1
      } else {
        s.traceId = randomBytes(16).toString('hex')
        s.sampled = ratio >= 1 || Math.random() < ratio
      }
      s.spanId = randomBytes(8).toString('hex')
      req.setHeader('traceparent', `00-${s.traceId}-${s.spanId}-${s.sampled ? '01' : '00'}`)
      s.requestId = req.header(idHeader) || randomUUID()
      req.setHeader(idHeader, s.requestId)
      return s
    },

    onEnd(s: RequestState, end: { requestBytes: number; responseBytes: number }): void {
      const durNs = nowNs() - s.startNs
      const route = s.req.routeName
      if (metricsOn) {
        requests.inc({ route, class: CLASSES[s.status >= 100 && s.status < 600 ? Math.floor(s.status / 100) : 0] as string })
        duration.observe({ route }, Math.ceil(Number(durNs) / 1e6))
        reqBytes.observe({ route }, end.requestBytes)
        resBytes.observe({ route }, end.responseBytes)
      }
      if (logOn && logEnabled()) {
        if (json) log(JSON.stringify(Object.fromEntries(fields.map((f) => [f.replace(':', '_'), value(f, s, end, durNs)]))))
        else log(fields.map((f) => `${f.replace(':', '_')}=${String(value(f, s, end, durNs)) || '-'}`).join(' '))
      }
      if (exporting && s.sampled && queue.length < (tracing.maxQueueSize ?? 2048)) {
        const str = (key: string, v: string) => ({ key, value: { stringValue: v } })
        queue.push({
          traceId: s.traceId, spanId: s.spanId, ...(s.parentId ? { parentSpanId: s.parentId } : {}), name: `${s.method} ${route}`, kind: 2,
          startTimeUnixNano: String(s.startNs), endTimeUnixNano: String(s.startNs + durNs),
          attributes: [str('http.request.method', s.method), str('url.path', s.path.split('?')[0] as string), { key: 'http.response.status_code', value: { intValue: String(s.status) } }],
          ...(s.status >= 500 || s.status === 0 ? { status: { code: 2 } } : {}),
        })
      }
    },

    flush(): void {
      if (queue.length === 0) return
      const spans = queue.splice(0, tracing.maxBatchSize ?? 512)
      send(JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: tracing.serviceName ?? 'wasmgate' } }] }, scopeSpans: [{ scope: { name: 'wasmgate.telemetry', version: '1.0.0' }, spans }] }] }))
    },
  }
}
