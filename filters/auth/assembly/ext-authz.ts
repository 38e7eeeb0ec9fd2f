// External authorization: the request's method, path and selected headers go to an HTTP
// service. 2xx allows (copying chosen response headers upstream); any other answer is passed to
// the client; 5xx, a timeout or a failed call follow the configured failure mode (5xx counts as
// an error, as in Envoy's ext_authz).
import { BaseContext, HeaderPair, HttpCallResponse, log, request, sendLocalResponse } from "wasmgate/sdk/assembly"
import { AuthHttp, CONTINUE, DENIED, PAUSED } from "./auth-http"
import { ExtAuthzSettings } from "./settings"

export function askExtAuthz(ctx: AuthHttp): u8 {
  const s = ctx.auth.settings.extAuthz!
  const headers: HeaderPair[] = [
    new HeaderPair(":method", ctx.method),
    new HeaderPair(":path", s.pathPrefix + ctx.target),
    new HeaderPair(":authority", s.authority),
  ]
  for (let i = 0, n = s.headers.length; i < n; i++) {
    const name = unchecked(s.headers[i])
    const v = request.headers.get(name)
    if (v != null) headers.push(new HeaderPair(name, v))
  }
  const token = ctx.httpCall(s.cluster, headers, "", s.timeoutMs, (origin: BaseContext, res: HttpCallResponse): void => {
    const self = changetype<AuthHttp>(origin)
    if (!self.done) self.resumeWith(onAnswer(self, res))
  })
  if (token < 0) return onError(ctx, s, "the call was refused")
  return PAUSED
}

function onAnswer(ctx: AuthHttp, res: HttpCallResponse): u8 {
  const s = ctx.auth.settings.extAuthz!
  if (res.failed) return onError(ctx, s, "call failed: " + res.failureReason())
  const status = res.status
  if (status >= 500) return onError(ctx, s, "status " + status.toString())
  if (status >= 200 && status < 300) {
    copyHeaders(res, s.upstreamHeaders, true)
    return CONTINUE
  }
  // Denied: the service's status, body and chosen headers go to the client as they are.
  ctx.done = true
  if (status == 401) ctx.auth.unauthorized!.increment()
  else ctx.auth.forbidden!.increment()
  const requestId = request.headers.get("x-request-id")
  log.info("auth: denied " + status.toString() + " " + ctx.method + " " + ctx.target + ": authorization service answered " + status.toString() + (requestId == null ? "" : " (request " + requestId + ")"))
  const body = res.bodyText()
  const pass = copyHeaders(res, s.clientHeaders, false)
  sendLocalResponse(status, body, pass, "auth_ext_authz_denied")
  return DENIED
}

/** Copies the listed headers ("x-*" = prefix) from the service's response: into the request
 * (`intoRequest`), or into the returned list. */
function copyHeaders(res: HttpCallResponse, names: string[], intoRequest: bool): HeaderPair[] {
  const out = new Array<HeaderPair>()
  if (names.length == 0) return out
  const all = res.headers.all()
  for (let i = 0; i < all.length; i++) {
    const p = all[i]
    if (p.name.charCodeAt(0) == 0x3a) continue
    for (let j = 0; j < names.length; j++) {
      const n = names[j]
      const hit = n.endsWith("*") ? p.name.startsWith(n.slice(0, n.length - 1)) : p.name == n
      if (!hit) continue
      if (intoRequest) request.headers.set(p.name, p.value)
      else out.push(p)
      break
    }
  }
  return out
}

function onError(ctx: AuthHttp, s: ExtAuthzSettings, problem: string): u8 {
  ctx.auth.extAuthzErrors!.increment()
  if (s.failOpen) {
    log.warn("auth: authorization service on cluster '" + s.cluster + "' unusable (" + problem + "); allowing " + ctx.method + " " + ctx.target + " (failureMode open)")
    return CONTINUE
  }
  log.warn("auth: authorization service on cluster '" + s.cluster + "' unusable (" + problem + ")")
  return ctx.refuse(s.statusOnError, "authorization service unavailable", 0, false)
}
