// telemetry: per-request metrics (by route and status class, duration and sizes), an access log
// line through proxy_log, and W3C trace context (continue or start a trace, propagate it
// upstream, add a request id) with server spans exported as OTLP/HTTP JSON in batches on a tick.
// See README.md.
export {
  proxy_abi_version_0_2_1, malloc, proxy_on_memory_allocate, proxy_on_context_create, proxy_on_vm_start,
  proxy_on_configure, proxy_on_tick, proxy_on_request_headers, proxy_on_response_headers, proxy_on_log,
  proxy_on_http_call_response, proxy_on_delete,
} from "wasmgate/sdk/assembly/abi/exports"
import {
  BaseContext, Counter, FilterHeadersStatus, HeaderPair, HttpCallResponse, HttpContext, LogLevel, RootContext,
  currentTimeNanoseconds, getPropertyInt, log, registerRootContext, request, response,
} from "wasmgate/sdk/assembly"
import { writeAccessLog } from "./access-log"
import { TelemetryConfig, readConfig } from "./config"
import { RouteMetrics } from "./route-metrics"
import { RequestFacts, ipOf, orEmpty } from "./request-facts"
import { SpanQueue } from "./span-queue"
import { TraceIds, formatTraceparent, parseTraceparent, randomId, randomUuid } from "./trace-context"

class TelemetryRoot extends RootContext {
  cfg: TelemetryConfig = new TelemetryConfig()
  metrics: RouteMetrics | null = null
  queue: SpanQueue = new SpanQueue(0)
  /** One export at a time; `pendingSpans` is how many it carries. */
  isExporting: bool = false
  pendingSpans: i32 = 0
  exported: Counter | null = null
  dropped: Counter | null = null
  failedExports: Counter | null = null

  onConfigure(configurationSize: usize): bool {
    const parsed = this.config()
    const cfg = readConfig(parsed)
    if (!parsed.check()) return false
    this.cfg = cfg
    this.metrics = cfg.metricsEnabled ? new RouteMetrics(cfg.metricPrefix, cfg.maxRoutes) : null
    if (cfg.tracingEnabled && cfg.cluster.length > 0) {
      this.queue = new SpanQueue(cfg.maxQueueSize)
      this.exported = new Counter(cfg.metricPrefix + "_spans_exported_total")
      this.dropped = new Counter(cfg.metricPrefix + "_spans_dropped_total")
      this.failedExports = new Counter(cfg.metricPrefix + "_span_exports_failed_total")
      this.setTickPeriod(cfg.flushIntervalMs)
    }
    return true
  }

  get isExportEnabled(): bool { return this.exported != null }

  onTick(): void {
    if (this.isExporting || this.queue.count == 0) return
    const cfg = this.cfg
    const n = min(this.queue.count, cfg.maxBatchSize)
    const body = this.queue.take(n, cfg)
    const headers: HeaderPair[] = [
      new HeaderPair(":method", "POST"),
      new HeaderPair(":path", cfg.exportPath),
      new HeaderPair(":authority", cfg.exportAuthority),
      new HeaderPair("content-type", "application/json"),
    ]
    this.isExporting = true
    this.pendingSpans = n
    const token = this.httpCallBytes(cfg.cluster, headers, body, null, cfg.exportTimeoutMs, onExported)
    if (token < 0) {
      this.isExporting = false
      this.failedExports!.increment()
      this.dropped!.increment(<u64>n)
    }
  }

  createHttpContext(contextId: u32): HttpContext {
    return new Telemetry(contextId, this)
  }
}

function onExported(origin: BaseContext, res: HttpCallResponse): void {
  const root = changetype<TelemetryRoot>(origin)
  root.isExporting = false
  const n = <u64>root.pendingSpans
  const status = res.failed ? 0 : res.status
  if (status >= 200 && status < 300) {
    root.exported!.increment(n)
    return
  }
  root.failedExports!.increment()
  root.dropped!.increment(n)
  const why = res.failed ? res.failureReason() : "status " + status.toString()
  log.warn("span export to cluster '" + root.cfg.cluster + "' failed (" + why + "): " + n.toString() + " spans dropped")
}

class Telemetry extends HttpContext {
  facts: RequestFacts = new RequestFacts()
  ids: TraceIds = new TraceIds()
  spanId: u64 = 0
  requestId: string = ""
  sawRequest: bool = false
  /** The access log line will be written (decided once, when the request arrives). */
  writesLog: bool = false

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const cfg = changetype<TelemetryRoot>(this.root).cfg
    const facts = this.facts
    this.sawRequest = true
    facts.requestHasNoBody = endOfStream
    facts.startNs = currentTimeNanoseconds()
    // Method and path feed only the access log and spans: read them (as the client sent them,
    // before later filters rewrite the path) only when one of those will be written.
    const root = changetype<TelemetryRoot>(this.root)
    this.writesLog = cfg.accessLogEnabled && log.level() <= LogLevel.Info
    if (this.writesLog || root.isExportEnabled) {
      facts.method = orEmpty(request.headers.get(":method"))
      facts.path = orEmpty(request.headers.get(":path"))
    }
    if (cfg.tracingEnabled) {
      const ids = this.ids
      const incoming = request.headers.get("traceparent")
      if (incoming == null || !parseTraceparent(incoming, ids)) {
        ids.traceHi = randomId()
        ids.traceLo = randomId()
        ids.parentId = 0
        ids.sampled = cfg.sampleRatio >= 1.0 || (cfg.sampleRatio > 0 && Math.random() < cfg.sampleRatio)
      }
      this.spanId = randomId()
      request.headers.set("traceparent", formatTraceparent(ids, this.spanId))
      const id = request.headers.get(cfg.requestIdHeader)
      if (id == null || id.length == 0) {
        this.requestId = randomUuid()
        request.headers.set(cfg.requestIdHeader, this.requestId)
      } else this.requestId = id
    }
    return FilterHeadersStatus.Continue
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    this.facts.responseHasNoBody = endOfStream
    const s = response.headers.get(":status")
    if (s != null) {
      let code: u32 = 0
      for (let i = 0; i < s.length && i < 3; i++) code = code * 10 + <u32>(s.charCodeAt(i) - 0x30)
      this.facts.status = code
    }
    return FilterHeadersStatus.Continue
  }

  onLog(): void {
    const root = changetype<TelemetryRoot>(this.root)
    const cfg = root.cfg
    const facts = this.facts
    facts.endNs = currentTimeNanoseconds()
    if (!this.sawRequest) {
      // An earlier filter answered before the request reached us.
      this.writesLog = cfg.accessLogEnabled && log.level() <= LogLevel.Info
      const t = getPropertyInt(["request", "time"])
      facts.startNs = t > 0 ? <u64>t : facts.endNs
      facts.method = orEmpty(request.headers.get(":method"))
      facts.path = orEmpty(request.headers.get(":path"))
    }
    if (facts.status == 0) {
      const code = getPropertyInt(["response", "code"])
      if (code > 0) facts.status = <u32>code
    }
    const metrics = root.metrics
    if (metrics != null) metrics.record(facts)
    // Build the line only when the host would keep it (proxy_get_log_level, asked at the start).
    if (this.writesLog) writeAccessLog(cfg, facts, this.ids, this.spanId, this.requestId)
    if (root.isExportEnabled && this.sawRequest && this.ids.sampled) this.queueSpan(root)
  }

  queueSpan(root: TelemetryRoot): void {
    const rec = root.queue.next()
    if (rec == null) {
      root.dropped!.increment()
      return
    }
    const facts = this.facts
    const ids = this.ids
    rec.traceHi = ids.traceHi
    rec.traceLo = ids.traceLo
    rec.spanId = this.spanId
    rec.parentId = ids.parentId
    rec.startNs = facts.startNs
    rec.endNs = facts.endNs
    rec.status = facts.status
    rec.requestBytes = facts.requestBytes()
    rec.responseBytes = facts.responseBytes()
    rec.method = facts.method
    rec.path = facts.path
    rec.route = facts.route()
    rec.authority = facts.requestHeader(":authority")
    rec.scheme = facts.requestHeader(":scheme")
    rec.clientIp = ipOf(facts.clientAddress())
    rec.userAgent = facts.requestHeader("user-agent")
    rec.requestId = this.requestId
  }
}

registerRootContext((contextId: u32): RootContext => new TelemetryRoot(contextId))
