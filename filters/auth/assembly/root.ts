// The plugin's root context: configuration, the JWKS cache (fetched by http call, refreshed on
// a tick), requests waiting for the first JWKS, and the filter's counters.
import { BaseContext, Counter, currentTimeNanoseconds, HttpCallResponse, HeaderPair, HttpContext, RootContext, log } from "wasmgate/sdk/assembly"
import { proxy_set_effective_context } from "wasmgate/sdk/assembly/abi/imports"
import { parseSettings } from "./config"
import { clearTokenCache } from "./jwt"
import { jwksError, parseJwks } from "./jwks"
import { VerifyKey } from "./keys"
import { AuthSettings, JwksSettings } from "./settings"

export const JWKS_NONE: u8 = 0
export const JWKS_LOADED: u8 = 1
export const JWKS_FAILED: u8 = 2

/** A request that can wait for the JWKS (AuthHttp overrides onJwksSettled). */
export class WaitingRequest extends HttpContext {
  onJwksSettled(): void {}
}

export class AuthRoot extends RootContext {
  settings: AuthSettings = new AuthSettings()
  jwksKeys: VerifyKey[] = []
  jwksState: u8 = JWKS_NONE
  jwksInFlight: bool = false
  /** Token of the fetch in flight: a response to an older one (before a reconfigure) is ignored. */
  jwksToken: i64 = -1
  /** When the last JWKS fetch started (ns), to rate-limit refetches for unknown key ids. */
  jwksFetchedAtNs: u64 = 0
  waiting: WaitingRequest[] = []
  allowed: Counter | null = null
  unauthorized: Counter | null = null
  forbidden: Counter | null = null
  extAuthzErrors: Counter | null = null
  jwksFailures: Counter | null = null

  onConfigure(configurationSize: usize): bool {
    const cfg = this.config()
    const s = parseSettings(cfg)
    if (!cfg.check()) return false
    this.settings = s
    // A reconfiguration may name another JWKS: start over.
    this.jwksKeys = []
    this.jwksState = JWKS_NONE
    this.jwksInFlight = false
    this.jwksToken = -1
    clearTokenCache()
    this.allowed = new Counter("auth_allowed")
    this.unauthorized = new Counter("auth_denied_unauthorized")
    this.forbidden = new Counter("auth_denied_forbidden")
    this.extAuthzErrors = new Counter("auth_ext_authz_errors")
    this.jwksFailures = new Counter("auth_jwks_fetch_failures")
    const jwt = s.jwt
    if (jwt != null && jwt.jwks != null) {
      // A fetch now, and the tick retries until the first one succeeds.
      this.fetchJwks()
      this.setTickPeriod(jwt.jwks!.retryMs)
    }
    log.info("auth: configured (" + s.rules.length.toString() + " rules)")
    return true
  }

  get jwks(): JwksSettings | null {
    const jwt = this.settings.jwt
    return jwt == null ? null : jwt.jwks
  }

  onTick(): void {
    this.fetchJwks()
  }

  /** Starts a JWKS fetch unless one is in flight. */
  fetchJwks(): void {
    const src = this.jwks
    if (src == null || this.jwksInFlight) return
    const headers: HeaderPair[] = [
      new HeaderPair(":method", "GET"),
      new HeaderPair(":path", src.path),
      new HeaderPair(":authority", src.authority),
      new HeaderPair("accept", "application/json"),
    ]
    this.jwksFetchedAtNs = nowNs()
    const token = this.httpCall(src.cluster, headers, "", src.timeoutMs, (origin: BaseContext, res: HttpCallResponse): void => {
      changetype<AuthRoot>(origin).onJwks(res)
    })
    if (token < 0) this.jwksSettled(false, "the call was refused")
    else {
      this.jwksInFlight = true
      this.jwksToken = token
    }
  }

  /** A key id the JWKS lacks: refetch, at most once per retry interval (keys rotate). */
  refetchJwksSoon(): void {
    const src = this.jwks
    if (src == null) return
    if (nowNs() - this.jwksFetchedAtNs >= <u64>src.retryMs * 1_000_000) this.fetchJwks()
  }

  onJwks(res: HttpCallResponse): void {
    if (<i64>res.token != this.jwksToken) return
    this.jwksInFlight = false
    if (res.failed) {
      this.jwksSettled(false, "call failed: " + res.failureReason())
      return
    }
    const status = res.status
    if (status != 200) {
      this.jwksSettled(false, "status " + status.toString())
      return
    }
    const keys = parseJwks(res.bodyText())
    if (keys == null) {
      this.jwksSettled(false, jwksError)
      return
    }
    this.jwksKeys = keys
    clearTokenCache()
    log.info("auth: loaded " + keys.length.toString() + " JWKS keys")
    this.jwksSettled(true, "")
  }

  private jwksSettled(ok: bool, problem: string): void {
    const src = this.jwks!
    if (ok) {
      this.jwksState = JWKS_LOADED
      this.setTickPeriod(src.refreshMs)
    } else {
      this.jwksFailures!.increment()
      log.warn("auth: JWKS fetch from cluster '" + src.cluster + "' " + src.path + " failed (" + problem + ")" + (this.jwksState == JWKS_LOADED ? "; keeping the previous keys" : ""))
      // Keep serving with old keys; without any, fail fast until a retry succeeds.
      if (this.jwksState != JWKS_LOADED) this.jwksState = JWKS_FAILED
      this.setTickPeriod(src.retryMs)
    }
    const waiting = this.waiting
    if (waiting.length == 0) return
    this.waiting = []
    for (let i = 0; i < waiting.length; i++) {
      const ctx = waiting[i]
      // The request's own context must be current for its hostcalls (headers, continue).
      if (proxy_set_effective_context(ctx.contextId) != 0) continue
      ctx.onJwksSettled()
    }
    proxy_set_effective_context(this.contextId)
  }

  /** Forget a request that ended while waiting. */
  forget(ctx: WaitingRequest): void {
    const i = this.waiting.indexOf(ctx)
    if (i >= 0) this.waiting.splice(i, 1)
  }
}

export function nowNs(): u64 {
  return currentTimeNanoseconds()
}
