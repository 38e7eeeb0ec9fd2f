// One access-log line per request, JSON or logfmt, written through proxy_log at info level.
import { proxy_log } from "wasmgate/sdk/assembly/abi/imports"
import { LogLevel } from "wasmgate/sdk/assembly"
import {
  F_AUTHORITY, F_CLIENT_ADDRESS, F_CLUSTER, F_DURATION_MS, F_METHOD, F_PATH, F_PROTOCOL, F_REFERER, F_REQUEST_BYTES,
  F_REQUEST_ID, F_REQ_HEADER, F_RESPONSE_BYTES, F_RESP_HEADER, F_ROUTE, F_SCHEME, F_SPAN_ID, F_START_TIME, F_STATUS,
  F_TRACE_ID, F_UPSTREAM_ADDRESS, F_USER_AGENT, LogField, TelemetryConfig,
} from "./config"
import { RequestFacts } from "./request-facts"
import { TextBuffer } from "./text-buffer"
import { TraceIds } from "./trace-context"

const line = new TextBuffer()

export function writeAccessLog(cfg: TelemetryConfig, facts: RequestFacts, ids: TraceIds, spanId: u64, requestId: string): void {
  const b = line
  const json = cfg.jsonFormat
  const fields = cfg.fields
  b.reset()
  if (json) b.byte(0x7b)
  for (let i = 0, n = fields.length; i < n; i++) {
    const f = unchecked(fields[i])
    if (i > 0) b.byte(json ? 0x2c : 0x20)
    if (json) {
      b.json(f.key)
      b.byte(0x3a)
    } else {
      b.str(f.key)
      b.byte(0x3d)
    }
    writeValue(b, f, json, facts, ids, spanId, requestId)
  }
  if (json) b.byte(0x7d)
  proxy_log(LogLevel.Info, b.ptr, b.len)
}

function writeValue(b: TextBuffer, f: LogField, json: bool, facts: RequestFacts, ids: TraceIds, spanId: u64, requestId: string): void {
  switch (f.code) {
    case F_STATUS: b.uint(facts.status); return
    case F_DURATION_MS: b.fixed(facts.durationNs() / 1000, 3); return
    case F_REQUEST_BYTES: b.uint(facts.requestBytes()); return
    case F_RESPONSE_BYTES: b.uint(facts.responseBytes()); return
    case F_START_TIME: {
      if (json) b.byte(0x22)
      writeTimestamp(b, facts.startNs)
      if (json) b.byte(0x22)
      return
    }
    case F_TRACE_ID: {
      if (json) b.byte(0x22)
      b.hex(ids.traceHi, 16)
      b.hex(ids.traceLo, 16)
      if (json) b.byte(0x22)
      return
    }
    case F_SPAN_ID: {
      if (json) b.byte(0x22)
      b.hex(spanId, 16)
      if (json) b.byte(0x22)
      return
    }
  }
  let s = ""
  switch (f.code) {
    case F_METHOD: s = facts.method; break
    case F_PATH: s = facts.path; break
    case F_AUTHORITY: s = facts.requestHeader(":authority"); break
    case F_SCHEME: s = facts.requestHeader(":scheme"); break
    case F_PROTOCOL: s = facts.property("request", "protocol"); break
    case F_CLIENT_ADDRESS: s = facts.clientAddress(); break
    case F_ROUTE: s = facts.route(); break
    case F_CLUSTER: s = facts.property("cluster_name", ""); break
    case F_UPSTREAM_ADDRESS: s = facts.property("upstream", "address"); break
    case F_REQUEST_ID: s = requestId; break
    case F_USER_AGENT: s = facts.requestHeader("user-agent"); break
    case F_REFERER: s = facts.requestHeader("referer"); break
    case F_REQ_HEADER: s = facts.requestHeader(f.header); break
    case F_RESP_HEADER: s = facts.responseHeader(f.header); break
  }
  if (json) b.json(s)
  else writeLogfmt(b, s)
}

// logfmt: bare when safe, else quoted with JSON escapes; empty values are "-".
function writeLogfmt(b: TextBuffer, s: string): void {
  if (s.length == 0) {
    b.byte(0x2d)
    return
  }
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c <= 0x20 || c == 0x22 || c == 0x3d || c == 0x5c || c >= 0x7f) {
      b.json(s)
      return
    }
  }
  b.str(s)
}

/** RFC 3339 UTC with milliseconds: 2024-05-01T12:34:56.789Z. */
export function writeTimestamp(b: TextBuffer, ns: u64): void {
  const ms = ns / 1000000
  const secs = ms / 1000
  let days = <i64>(secs / 86400)
  const sod = <i64>(secs % 86400)
  // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm, public domain).
  days += 719468
  const era = days / 146097
  const doe = days - era * 146097
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
  const mp = (5 * doy + 2) / 153
  const day = doy - (153 * mp + 2) / 5 + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  pad(b, <u64>year, 4); b.byte(0x2d)
  pad(b, <u64>month, 2); b.byte(0x2d)
  pad(b, <u64>day, 2); b.byte(0x54)
  pad(b, <u64>(sod / 3600), 2); b.byte(0x3a)
  pad(b, <u64>((sod / 60) % 60), 2); b.byte(0x3a)
  pad(b, <u64>(sod % 60), 2); b.byte(0x2e)
  pad(b, ms % 1000, 3); b.byte(0x5a)
}

function pad(b: TextBuffer, v: u64, digits: i32): void {
  let p: u64 = 1
  for (let i = 1; i < digits; i++) p *= 10
  for (; p > 0; p /= 10) b.byte(<u8>(0x30 + <u32>((v / p) % 10)))
}
