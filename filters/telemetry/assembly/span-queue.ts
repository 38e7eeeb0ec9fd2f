// Finished server spans waiting for export, and their OTLP/HTTP JSON encoding
// (ExportTraceServiceRequest: ids as lowercase hex, 64-bit times as decimal strings).
// Records are pooled: a flushed record is reused by a later request.
import { TelemetryConfig } from "./config"
import { TextBuffer } from "./text-buffer"

const SPAN_KIND_SERVER = 2
const STATUS_CODE_ERROR = 2

export class SpanRecord {
  traceHi: u64 = 0
  traceLo: u64 = 0
  spanId: u64 = 0
  parentId: u64 = 0
  startNs: u64 = 0
  endNs: u64 = 0
  status: u32 = 0
  requestBytes: u64 = 0
  responseBytes: u64 = 0
  method: string = ""
  path: string = ""
  route: string = ""
  authority: string = ""
  scheme: string = ""
  clientIp: string = ""
  userAgent: string = ""
  requestId: string = ""
}

export class SpanQueue {
  records: SpanRecord[] = []
  count: i32 = 0
  private payload: TextBuffer = new TextBuffer()

  constructor(public maxSize: i32) {}

  /** A record to fill, or null when the queue is full (the span is dropped). */
  next(): SpanRecord | null {
    if (this.count >= this.maxSize) return null
    if (this.count == this.records.length) this.records.push(new SpanRecord())
    return unchecked(this.records[this.count++])
  }

  /** Encodes the first `n` spans as one export request, and removes them from the queue. */
  take(n: i32, cfg: TelemetryConfig): ArrayBuffer {
    const b = this.payload
    b.reset()
    b.str("{\"resourceSpans\":[{\"resource\":{\"attributes\":[")
    stringAttr(b, "service.name", cfg.serviceName, true)
    for (let i = 0; i < cfg.resourceKeys.length; i++) stringAttr(b, cfg.resourceKeys[i], cfg.resourceValues[i], false)
    b.str("]},\"scopeSpans\":[{\"scope\":{\"name\":\"wasmgate.telemetry\",\"version\":\"1.0.0\"},\"spans\":[")
    for (let i = 0; i < n; i++) {
      if (i > 0) b.byte(0x2c)
      writeSpan(b, unchecked(this.records[i]))
    }
    b.str("]}]}]}")
    // Move the sent records behind the waiting ones, to be reused.
    const records = this.records
    for (let i = 0; i < this.count - n; i++) {
      const t = unchecked(records[i])
      unchecked(records[i] = records[i + n])
      unchecked(records[i + n] = t)
    }
    this.count -= n
    return b.toArrayBuffer()
  }
}

function stringAttr(b: TextBuffer, key: string, value: string, first: bool): void {
  if (!first) b.byte(0x2c)
  b.str("{\"key\":")
  b.json(key)
  b.str(",\"value\":{\"stringValue\":")
  b.json(value)
  b.str("}}")
}

function intAttr(b: TextBuffer, key: string, value: u64): void {
  b.str(",{\"key\":\"")
  b.str(key)
  b.str("\",\"value\":{\"intValue\":\"")
  b.uint(value)
  b.str("\"}}")
}

function writeSpan(b: TextBuffer, s: SpanRecord): void {
  b.str("{\"traceId\":\"")
  b.hex(s.traceHi, 16)
  b.hex(s.traceLo, 16)
  b.str("\",\"spanId\":\"")
  b.hex(s.spanId, 16)
  b.byte(0x22)
  if (s.parentId != 0) {
    b.str(",\"parentSpanId\":\"")
    b.hex(s.parentId, 16)
    b.byte(0x22)
  }
  // Semantic conventions: "{method} {route}" for a server span when the route is known.
  b.str(",\"name\":\"")
  b.jsonText(s.method.length == 0 ? "HTTP" : s.method)
  if (s.route.length > 0) {
    b.byte(0x20)
    b.jsonText(s.route)
  }
  b.str("\",\"kind\":")
  b.uint(SPAN_KIND_SERVER)
  b.str(",\"startTimeUnixNano\":\"")
  b.uint(s.startNs)
  b.str("\",\"endTimeUnixNano\":\"")
  b.uint(s.endNs)
  b.str("\",\"attributes\":[")
  stringAttr(b, "http.request.method", s.method, true)
  const q = s.path.indexOf("?")
  stringAttr(b, "url.path", q < 0 ? s.path : s.path.substring(0, q), false)
  if (q >= 0) stringAttr(b, "url.query", s.path.substring(q + 1), false)
  if (s.scheme.length > 0) stringAttr(b, "url.scheme", s.scheme, false)
  if (s.authority.length > 0) stringAttr(b, "server.address", s.authority, false)
  if (s.route.length > 0) stringAttr(b, "wasmgate.route", s.route, false)
  if (s.clientIp.length > 0) stringAttr(b, "client.address", s.clientIp, false)
  if (s.userAgent.length > 0) stringAttr(b, "user_agent.original", s.userAgent, false)
  if (s.requestId.length > 0) stringAttr(b, "wasmgate.request_id", s.requestId, false)
  if (s.status > 0) intAttr(b, "http.response.status_code", s.status)
  intAttr(b, "http.request.body.size", s.requestBytes)
  intAttr(b, "http.response.body.size", s.responseBytes)
  b.byte(0x5d)
  // Server spans are errors for 5xx and for requests that got no response at all.
  if (s.status >= 500 || s.status == 0) {
    b.str(",\"status\":{\"code\":")
    b.uint(STATUS_CODE_ERROR)
    b.byte(0x7d)
  }
  b.byte(0x7d)
}
