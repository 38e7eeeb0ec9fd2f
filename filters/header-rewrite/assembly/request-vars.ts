// The variables templates read, for one request. Values that cost a hostcall (properties, the
// path) are fetched on first use and kept for the rest of the request.
import { getPropertyString, request, response } from "wasmgate/sdk/assembly"
import { Regex } from "./regex"
import {
  PART_CAPTURE, PART_CLIENT_ADDRESS, PART_CLIENT_IP, PART_HOST, PART_METHOD, PART_PATH, PART_PROPERTY,
  PART_REQ_HEADER, PART_REQUEST_ID, PART_RESP_HEADER, PART_ROUTE, PART_SCHEME, Part, TemplateSource,
} from "./template"

export class RequestVars extends TemplateSource {
  /** The regex whose last match ${N} refers to. */
  captures: Regex | null = null
  /** Groups kept from the request phase, used instead of `captures` when set. */
  savedGroups: string[] | null = null
  isResponse: bool = false
  host: string | null = null
  private path: string | null = null
  private query: string = ""
  private methodValue: string | null = null
  private clientAddress: string | null = null

  variable(part: Part): string | null {
    switch (part.kind) {
      case PART_REQ_HEADER: return request.headers.get(part.text)
      case PART_RESP_HEADER: return this.isResponse ? response.headers.get(part.text) : null
      case PART_CAPTURE: {
        const saved = this.savedGroups
        if (saved != null) return part.group < saved.length ? unchecked(saved[part.group]) : null
        const re = this.captures
        return re == null || part.group > re.groups ? null : re.group(part.group)
      }
      case PART_METHOD: return this.method()
      case PART_PATH: return this.fullPath()
      case PART_HOST: {
        if (this.host == null) this.host = request.headers.get(":authority")
        return this.host
      }
      case PART_SCHEME: return request.headers.get(":scheme")
      case PART_CLIENT_ADDRESS: return this.client()
      case PART_CLIENT_IP: return ipOf(this.client())
      case PART_ROUTE: return getPropertyString(["route_name"])
      case PART_REQUEST_ID: {
        const id = request.headers.get("x-request-id")
        return id != null ? id : getPropertyString(["request", "id"])
      }
      case PART_PROPERTY: return getPropertyString(part.segments)
    }
    return null
  }

  method(): string {
    if (this.methodValue == null) {
      const m = request.headers.get(":method")
      this.methodValue = m == null ? "" : m
    }
    return this.methodValue!
  }

  /** The path without the query string. */
  pathOnly(): string {
    if (this.path == null) {
      const full = request.headers.get(":path")
      this.splitPath(full == null ? "/" : full)
    }
    return this.path!
  }

  /** The path with its query string, as it goes upstream. */
  fullPath(): string {
    const p = this.pathOnly()
    return this.query.length == 0 ? p : p + this.query
  }

  /** A rewritten path; a query it carries replaces the request's. */
  setPath(path: string): void {
    const q = path.indexOf("?")
    if (q >= 0) this.splitPath(path)
    else this.path = path
  }

  private splitPath(full: string): void {
    const q = full.indexOf("?")
    this.path = q < 0 ? full : full.substring(0, q)
    this.query = q < 0 ? "" : full.substring(q)
  }

  private client(): string | null {
    if (this.clientAddress == null) this.clientAddress = getPropertyString(["source", "address"])
    return this.clientAddress
  }
}

/** "1.2.3.4:5678" -> "1.2.3.4", "[::1]:5678" -> "::1" (the host always appends the port). */
function ipOf(address: string | null): string | null {
  if (address == null) return null
  const colon = address.lastIndexOf(":")
  const ip = colon < 0 ? address : address.substring(0, colon)
  return ip.startsWith("[") && ip.endsWith("]") ? ip.substring(1, ip.length - 1) : ip
}
