// The telemetry configuration, read once in onConfigure. See README.md for every field.
import { Config } from "wasmgate/sdk/assembly"

// Access-log fields, by code.
export const F_START_TIME = 0
export const F_METHOD = 1
export const F_PATH = 2
export const F_AUTHORITY = 3
export const F_SCHEME = 4
export const F_PROTOCOL = 5
export const F_STATUS = 6
export const F_DURATION_MS = 7
export const F_REQUEST_BYTES = 8
export const F_RESPONSE_BYTES = 9
export const F_CLIENT_ADDRESS = 10
export const F_ROUTE = 11
export const F_CLUSTER = 12
export const F_UPSTREAM_ADDRESS = 13
export const F_REQUEST_ID = 14
export const F_TRACE_ID = 15
export const F_SPAN_ID = 16
export const F_USER_AGENT = 17
export const F_REFERER = 18
export const F_REQ_HEADER = 19
export const F_RESP_HEADER = 20

const FIELD_NAMES: string[] = [
  "start_time", "method", "path", "authority", "scheme", "protocol", "status", "duration_ms", "request_bytes",
  "response_bytes", "client_address", "route", "cluster", "upstream_address", "request_id", "trace_id", "span_id",
  "user_agent", "referer",
]

const DEFAULT_FIELDS: string[] = [
  "start_time", "method", "path", "status", "duration_ms", "request_bytes", "response_bytes", "client_address",
  "route", "request_id", "trace_id", "user_agent",
]

export class LogField {
  /** For req:/resp: fields, the lowercase header name. */
  constructor(public code: i32, public key: string, public header: string = "") {}
}

export class TelemetryConfig {
  metricsEnabled: bool = true
  metricPrefix: string = "http"
  maxRoutes: i32 = 100

  accessLogEnabled: bool = true
  jsonFormat: bool = true
  fields: LogField[] = []

  tracingEnabled: bool = true
  requestIdHeader: string = "x-request-id"
  sampleRatio: f64 = 1.0
  serviceName: string = "wasmgate"
  /** Empty: propagate trace context, export nothing. */
  cluster: string = ""
  exportPath: string = "/v1/traces"
  exportAuthority: string = ""
  flushIntervalMs: u32 = 1000
  maxBatchSize: i32 = 512
  maxQueueSize: i32 = 2048
  exportTimeoutMs: u32 = 5000
  resourceKeys: string[] = []
  resourceValues: string[] = []
}

function isMetricName(s: string): bool {
  if (s.length == 0) return false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c == 0x5f || (i > 0 && c >= 0x30 && c <= 0x39)
    if (!ok) return false
  }
  return true
}

function onlyKeys(cfg: Config, allowed: string[]): void {
  const keys = cfg.keys()
  for (let k = 0; k < keys.length; k++) {
    if (!allowed.includes(keys[k])) cfg.invalid(keys[k], "unknown field (expected one of " + allowed.join(", ") + ")")
  }
}

function lowerAscii(s: string): string {
  let out = ""
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    out += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 0x20 : c)
  }
  return out
}

function readField(name: string, at: string, cfg: Config): LogField | null {
  if (name.startsWith("req:") || name.startsWith("resp:")) {
    const isReq = name.startsWith("req:")
    const header = lowerAscii(name.substring(isReq ? 4 : 5))
    if (header.length == 0) {
      cfg.invalid("fields", at + ": '" + name + "' needs a header name after ':'")
      return null
    }
    return new LogField(isReq ? F_REQ_HEADER : F_RESP_HEADER, (isReq ? "req_" : "resp_") + header, header)
  }
  const code = FIELD_NAMES.indexOf(name)
  if (code < 0) {
    cfg.invalid("fields", at + ": unknown field '" + name + "' (known: " + FIELD_NAMES.join(", ") + ", req:NAME, resp:NAME)")
    return null
  }
  return new LogField(code, name)
}

export function readConfig(cfg: Config): TelemetryConfig {
  const c = new TelemetryConfig()
  onlyKeys(cfg, ["metrics", "accessLog", "tracing"])

  const m = cfg.objectOr("metrics")
  if (m != null) {
    onlyKeys(m, ["enabled", "prefix", "maxRoutes"])
    c.metricsEnabled = m.boolOr("enabled", true)
    c.metricPrefix = m.stringOr("prefix", c.metricPrefix)
    if (!isMetricName(c.metricPrefix)) m.invalid("prefix", "must be letters, digits and '_', not starting with a digit")
    c.maxRoutes = <i32>m.intOr("maxRoutes", c.maxRoutes)
    if (c.maxRoutes < 1 || c.maxRoutes > 10000) m.invalid("maxRoutes", "must be between 1 and 10000")
  }

  const a = cfg.objectOr("accessLog")
  let names = DEFAULT_FIELDS
  if (a != null) {
    onlyKeys(a, ["enabled", "format", "fields"])
    c.accessLogEnabled = a.boolOr("enabled", true)
    const format = a.stringOr("format", "json")
    if (format != "json" && format != "text") a.invalid("format", "must be \"json\" or \"text\"")
    c.jsonFormat = format == "json"
    if (a.has("fields")) {
      const list = a.array("fields")
      names = []
      for (let i = 0; i < list.length; i++) names.push(list.string(i))
      if (list.length == 0) a.invalid("fields", "must name at least one field")
    }
  }
  for (let i = 0; i < names.length; i++) {
    const f = readField(names[i], "[" + i.toString() + "]", a != null ? a : cfg)
    if (f != null) c.fields.push(f)
  }

  const t = cfg.objectOr("tracing")
  if (t != null) {
    onlyKeys(t, ["enabled", "requestIdHeader", "sampleRatio", "serviceName", "cluster", "path", "authority", "flushIntervalMs", "maxBatchSize", "maxQueueSize", "timeoutMs", "resource"])
    c.tracingEnabled = t.boolOr("enabled", true)
    c.requestIdHeader = lowerAscii(t.stringOr("requestIdHeader", c.requestIdHeader))
    if (c.requestIdHeader.length == 0) t.invalid("requestIdHeader", "must not be empty")
    c.sampleRatio = t.numberOr("sampleRatio", 1.0)
    if (c.sampleRatio < 0 || c.sampleRatio > 1) t.invalid("sampleRatio", "must be between 0 and 1")
    c.serviceName = t.stringOr("serviceName", c.serviceName)
    c.cluster = t.stringOr("cluster", "")
    c.exportPath = t.stringOr("path", c.exportPath)
    if (!c.exportPath.startsWith("/")) t.invalid("path", "must start with '/'")
    c.exportAuthority = t.stringOr("authority", c.cluster)
    const flush = t.intOr("flushIntervalMs", 1000)
    if (flush < 10 || flush > 3600000) t.invalid("flushIntervalMs", "must be between 10 and 3600000")
    c.flushIntervalMs = <u32>flush
    c.maxBatchSize = <i32>t.intOr("maxBatchSize", 512)
    if (c.maxBatchSize < 1 || c.maxBatchSize > 100000) t.invalid("maxBatchSize", "must be between 1 and 100000")
    c.maxQueueSize = <i32>t.intOr("maxQueueSize", 2048)
    if (c.maxQueueSize < c.maxBatchSize || c.maxQueueSize > 1000000) t.invalid("maxQueueSize", "must be at least maxBatchSize and at most 1000000")
    const timeout = t.intOr("timeoutMs", 5000)
    if (timeout < 1 || timeout > 600000) t.invalid("timeoutMs", "must be between 1 and 600000")
    c.exportTimeoutMs = <u32>timeout
    const res = t.objectOr("resource")
    if (res != null) {
      const keys = res.keys()
      for (let i = 0; i < keys.length; i++) {
        c.resourceKeys.push(keys[i])
        c.resourceValues.push(res.string(keys[i]))
      }
    }
    if (c.cluster.length == 0 && (t.has("path") || t.has("flushIntervalMs") || t.has("maxBatchSize"))) t.invalid("cluster", "is required to export spans (the collector's cluster name)")
  }
  return c
}
