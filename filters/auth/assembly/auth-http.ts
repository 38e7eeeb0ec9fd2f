// One request through the auth filter: match a rule, check the credential (API key or JWT),
// required claims, then optionally ask the external authorization service.
import { FilterDataStatus, FilterHeadersStatus, FilterTrailersStatus, RootContext, log, request } from "wasmgate/sdk/assembly"
import { deny } from "./deny"
import { askExtAuthz } from "./ext-authz"
import { claimAt, claimHas, claimText, missingKey, verifiedClaims, verifyJwt } from "./jwt"
import { hasDotSegments, matchRule, pathOnly, queryParam, withoutQueryParam } from "./paths"
import { AuthRoot, JWKS_LOADED, WaitingRequest, nowNs } from "./root"
import { AuthSettings, METHOD_API_KEY, METHOD_JWT, Rule } from "./settings"
import { bytesEqual, sha256 } from "./sha256"

/** What a step decided. */
export const CONTINUE: u8 = 0
export const PAUSED: u8 = 1
export const DENIED: u8 = 2

const KEY_HASH: usize = memory.data(32)

export class AuthHttp extends WaitingRequest {
  rule: Rule | null = null
  target: string = ""
  method: string = ""
  /** True while the request waits (JWKS or ext authz): bodies are held back until then. */
  paused: bool = false
  /** Set once a decision was sent, so late callbacks do nothing. */
  done: bool = false
  /** The credential to remove on admission (after ext authz, which may need to see it). */
  stripHeader: string = ""
  stripQuery: string = ""

  constructor(contextId: u32, root: RootContext) {
    super(contextId, root)
  }

  get auth(): AuthRoot {
    return changetype<AuthRoot>(this.root)
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const root = this.auth
    const s = root.settings
    removeOwnedHeaders(s)
    const target = request.headers.get(":path")
    const method = request.headers.get(":method")
    this.target = target == null ? "/" : target
    this.method = method == null ? "GET" : method
    const path = pathOnly(this.target)
    if (hasDotSegments(path)) return this.finish(this.refuse(400, "path has dot segments or encoded separators", 0, false))
    const rule = matchRule(s.rules, s.fallback, path, this.method)
    this.rule = rule
    if (rule.isPublic) return FilterHeadersStatus.Continue
    if (rule.deny) return this.finish(this.refuse(403, "denied by rule", 0, false))
    return this.finish(this.checkCredentials())
  }

  /** Maps a step's decision to the headers callback's answer. */
  private finish(decision: u8): FilterHeadersStatus {
    if (decision == CONTINUE) {
      this.admit()
      return FilterHeadersStatus.Continue
    }
    this.paused = decision == PAUSED
    return FilterHeadersStatus.StopIteration
  }

  /** Resumes a paused request after a decision made in a callback. */
  resumeWith(decision: u8): void {
    if (decision == PAUSED) return
    this.paused = false
    if (decision == CONTINUE) {
      this.admit()
      request.resume()
    }
  }

  /** The request passes: remove the credential if asked, count it. */
  private admit(): void {
    if (this.stripHeader.length > 0) request.headers.remove(this.stripHeader)
    if (this.stripQuery.length > 0) this.setTarget(withoutQueryParam(this.target, this.stripQuery))
    this.auth.allowed!.increment()
  }

  refuse(status: u32, reason: string, credentials: u8, tokenPresented: bool, insufficientScope: bool = false): u8 {
    this.done = true
    const root = this.auth
    if (status == 401) root.unauthorized!.increment()
    else root.forbidden!.increment()
    deny(root.settings, status, reason, credentials, tokenPresented, insufficientScope)
    return DENIED
  }

  /** The credential step; then claims, then ext authz. */
  checkCredentials(): u8 {
    const rule = this.rule!
    const root = this.auth
    const s = root.settings
    const creds = rule.credentials
    if (creds == 0) return this.afterCredentials()
    let reason = ""
    let presented = false
    let tokenPresented = false
    // A valid key on a rule with required claims: claims need a JWT, so look for one too.
    let keyNeedsJwt = false
    const apiKeys = s.apiKeys
    if ((creds & METHOD_API_KEY) != 0 && apiKeys != null) {
      const key = apiKeys.header.length > 0 ? request.headers.get(apiKeys.header) : null
      const fromQuery = key == null && apiKeys.query.length > 0
      const value = fromQuery ? queryParam(this.target, apiKeys.query) : key
      if (value != null) {
        presented = true
        const name = findApiKey(s, value)
        if (name != null) {
          if (apiKeys.consumerHeader.length > 0) request.headers.set(apiKeys.consumerHeader, name)
          if (apiKeys.strip) {
            if (fromQuery) this.stripQuery = apiKeys.query
            else this.stripHeader = apiKeys.header
          }
          if (rule.claims.length == 0) return this.afterCredentials()
          keyNeedsJwt = true
        } else reason = "invalid API key"
      }
    }
    const jwt = s.jwt
    if ((creds & METHOD_JWT) != 0 && jwt != null) {
      let token: string | null = null
      let fromQuery = false
      if (jwt.header.length > 0) {
        const h = request.headers.get(jwt.header)
        if (h != null && h.length > jwt.prefix.length && startsWithIgnoreCase(h, jwt.prefix)) token = h.slice(jwt.prefix.length).trim()
      }
      if (token == null && jwt.query.length > 0) {
        token = queryParam(this.target, jwt.query)
        fromQuery = token != null
      }
      if (token != null) {
        presented = true
        tokenPresented = true
        const why = verifyJwt(token, jwt, root.jwksKeys, <i64>(nowNs() / 1_000_000_000))
        if (why == "") {
          if (jwt.strip) {
            if (fromQuery) this.stripQuery = jwt.query
            else this.stripHeader = jwt.header
          }
          const claims = verifiedClaims!
          for (let i = 0; i < rule.claims.length; i++) {
            const need = rule.claims[i]
            const v = claimAt(claims, need.claim)
            if (v == null || !claimHas(v, need.value)) return this.refuse(403, "missing required claim " + need.claim.join("."), METHOD_JWT, true, true)
          }
          for (let i = 0; i < jwt.claimHeaders.length; i++) {
            const ch = jwt.claimHeaders[i]
            const v = claimAt(claims, ch.claim)
            if (v == null) continue
            const text = claimText(v)
            if (text != null) request.headers.set(ch.header, text)
          }
          return this.afterCredentials()
        }
        if (missingKey && jwt.jwks != null) {
          // The first JWKS is still on its way: wait for it instead of refusing a good token.
          if (root.jwksState != JWKS_LOADED && root.jwksInFlight) {
            root.waiting.push(this)
            log.debug("auth: request waits for the first JWKS")
            return PAUSED
          }
          root.refetchJwksSoon()
        }
        if (reason.length == 0 || reason == "invalid API key") reason = why
      }
    }
    if (keyNeedsJwt && !tokenPresented) return this.refuse(403, "this path needs a JWT with claims", METHOD_JWT, false, true)
    return this.refuse(401, presented ? reason : "missing credentials", creds, tokenPresented)
  }

  /** After the credential (or none): ext authz if the rule asks for it. */
  afterCredentials(): u8 {
    const rule = this.rule!
    if (!rule.extAuthz) return CONTINUE
    return askExtAuthz(this)
  }

  setTarget(target: string): void {
    this.target = target
    request.headers.set(":path", target)
  }

  onJwksSettled(): void {
    if (this.done) return
    this.resumeWith(this.checkCredentials())
  }

  onRequestBody(bodySize: usize, endOfStream: bool): FilterDataStatus {
    return this.paused ? FilterDataStatus.StopIterationAndBuffer : FilterDataStatus.Continue
  }

  onRequestTrailers(numTrailers: u32): FilterTrailersStatus {
    return this.paused ? FilterTrailersStatus.StopIteration : FilterTrailersStatus.Continue
  }

  onDelete(): void {
    if (this.paused) this.auth.forget(this)
  }
}

function startsWithIgnoreCase(s: string, prefix: string): bool {
  for (let i = 0, n = prefix.length; i < n; i++) {
    const a = s.charCodeAt(i), b = prefix.charCodeAt(i)
    if (a != b && (a | 0x20) != (b | 0x20)) return false
  }
  return true
}

/** The name of the configured key whose SHA-256 matches `key`, or null. */
function findApiKey(s: AuthSettings, key: string): string | null {
  const bytes = String.UTF8.encode(key)
  sha256(changetype<usize>(bytes), <usize>bytes.byteLength, KEY_HASH)
  const keys = s.apiKeys!.keys
  let found: string | null = null
  // Compare against every key (no early exit), so timing does not tell which one matched.
  for (let i = 0, n = keys.length; i < n; i++) {
    const k = unchecked(keys[i])
    if (bytesEqual(KEY_HASH, k.hash.dataStart, 32) && found == null) found = k.name
  }
  return found
}

function removeOwnedHeaders(s: AuthSettings): void {
  const owned = s.ownedHeaders
  for (let i = 0, n = owned.length; i < n; i++) request.headers.remove(unchecked(owned[i]))
  const prefixes = s.ownedPrefixes
  if (prefixes.length == 0) return
  const all = request.headers.all()
  for (let i = 0; i < all.length; i++) {
    const name = all[i].name
    for (let j = 0; j < prefixes.length; j++) {
      if (name.startsWith(prefixes[j])) {
        request.headers.remove(name)
        break
      }
    }
  }
}

