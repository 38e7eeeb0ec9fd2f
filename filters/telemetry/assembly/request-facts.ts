// What the access log and the span say about one request, read at its end (on_log) and fetched
// only when a configured field asks for it.
import { getPropertyInt, getPropertyString, request, response } from "wasmgate/sdk/assembly"

export class RequestFacts {
  startNs: u64 = 0
  endNs: u64 = 0
  method: string = ""
  path: string = ""
  status: u32 = 0
  /** The request or response ended with its headers: no body, no need to ask the host. */
  requestHasNoBody: bool = false
  responseHasNoBody: bool = false
  private requestBytesValue: i64 = -1
  private responseBytesValue: i64 = -1
  private clientValue: string | null = null
  private routeValue: string | null = null

  durationNs(): u64 { return this.endNs > this.startNs ? this.endNs - this.startNs : 0 }

  /** Body bytes received; at least the Content-Length (a host may stream a body past the filters uncounted). */
  requestBytes(): u64 {
    if (this.requestBytesValue < 0) this.requestBytesValue = this.requestHasNoBody ? 0 : bodySize("request", true)
    return <u64>this.requestBytesValue
  }

  responseBytes(): u64 {
    if (this.responseBytesValue < 0) this.responseBytesValue = this.responseHasNoBody ? 0 : bodySize("response", false)
    return <u64>this.responseBytesValue
  }

  clientAddress(): string {
    if (this.clientValue == null) this.clientValue = orEmpty(getPropertyString(["source", "address"]))
    return this.clientValue!
  }

  route(): string {
    if (this.routeValue == null) this.routeValue = orEmpty(getPropertyString(["route_name"]))
    return this.routeValue!
  }

  requestHeader(name: string): string { return orEmpty(request.headers.get(name)) }
  responseHeader(name: string): string { return orEmpty(response.headers.get(name)) }
  property(a: string, b: string): string { return orEmpty(getPropertyString(b.length == 0 ? [a] : [a, b])) }
}

// The host's count (request.size / response.size); the Content-Length when the host counted
// nothing (a host may stream a body past the filters without counting it).
function bodySize(side: string, isRequest: bool): i64 {
  const n = getPropertyInt([side, "size"])
  if (n > 0) return n
  const declared = parseLength((isRequest ? request : response).headers.get("content-length"))
  return declared > 0 ? declared : 0
}

export function orEmpty(s: string | null): string {
  return s == null ? "" : s!
}

/** A Content-Length value, or -1. */
export function parseLength(s: string | null): i64 {
  if (s == null || s.length == 0 || s.length > 18) return -1
  let n: i64 = 0
  for (let i = 0; i < s.length; i++) {
    const d = s.charCodeAt(i) - 0x30
    if (d < 0 || d > 9) return -1
    n = n * 10 + d
  }
  return n
}

/** "1.2.3.4:5678" -> "1.2.3.4" (the host appends the port), "[::1]:80" -> "::1". */
export function ipOf(address: string): string {
  const colon = address.lastIndexOf(":")
  const ip = colon < 0 ? address : address.substring(0, colon)
  return ip.startsWith("[") && ip.endsWith("]") ? ip.substring(1, ip.length - 1) : ip
}
