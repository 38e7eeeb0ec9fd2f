// Denials: a local reply with a small JSON body, the right challenge for 401s, and the reason
// in the log. Only built on the deny path, so the strings here cost nothing on success.
import { HeaderPair, log, request, sendLocalResponse } from "wasmgate/sdk/assembly"
import { AuthSettings, METHOD_API_KEY, METHOD_JWT } from "./settings"

/** JSON string body text (quotes and control characters escaped). */
export function jsonString(s: string): string {
  let out = "\""
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c == 0x22) out += "\\\""
    else if (c == 0x5c) out += "\\\\"
    else if (c < 0x20) out += " "
    else out += String.fromCharCode(c)
  }
  return out + "\""
}

function errorName(status: u32): string {
  if (status == 401) return "unauthorized"
  if (status == 403) return "forbidden"
  if (status == 400) return "bad_request"
  if (status == 503) return "unavailable"
  return "denied"
}

/**
 * Answers the request with `status`. For 401 and insufficient-scope 403s, `credentials` (METHOD_*)
 * chooses the challenges; `tokenPresented` adds RFC 6750's error attributes to the Bearer one.
 */
export function deny(s: AuthSettings, status: u32, reason: string, credentials: u8, tokenPresented: bool, insufficientScope: bool = false): void {
  const method = request.headers.get(":method")
  const path = request.headers.get(":path")
  const requestId = request.headers.get("x-request-id")
  log.info("auth: denied " + status.toString() + " " + (method == null ? "-" : method) + " " + (path == null ? "-" : path) + ": " + reason + (requestId == null ? "" : " (request " + requestId + ")"))
  const headers = new Array<HeaderPair>()
  headers.push(new HeaderPair("content-type", "application/json"))
  headers.push(new HeaderPair("cache-control", "no-store"))
  const realm = "realm=\"" + s.realm + "\""
  if (status == 401 || insufficientScope) {
    if ((credentials & METHOD_JWT) != 0) {
      let bearer = "Bearer " + realm
      if (insufficientScope) bearer += ", error=\"insufficient_scope\""
      else if (tokenPresented) bearer += ", error=\"invalid_token\", error_description=\"" + reason + "\""
      headers.push(new HeaderPair("www-authenticate", bearer))
    }
    if ((credentials & METHOD_API_KEY) != 0 && !insufficientScope) headers.push(new HeaderPair("www-authenticate", "ApiKey " + realm))
  }
  let body = "{\"error\":\"" + errorName(status) + "\",\"reason\":" + jsonString(reason)
  if (requestId != null) body += ",\"requestId\":" + jsonString(requestId)
  body += "}"
  sendLocalResponse(status, body, headers, "auth_denied")
}
