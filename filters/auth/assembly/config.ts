// Reads the JSON configuration into AuthSettings, recording every problem with its path
// (`jwt.keys[0]: ...`) so onConfigure can log them all and refuse the plugin.
import { Config, ConfigArray, JsonKind } from "wasmgate/sdk/assembly"
import { fromHex } from "./base64"
import { ALG_ES256, ALG_HS256, ALG_RS256, algFromName, keyError, parseKey } from "./keys"
import {
  ApiKey, ApiKeySettings, AuthSettings, ClaimHeader, ExtAuthzSettings, JwksSettings, JwtSettings,
  METHOD_API_KEY, METHOD_JWT, RequiredClaim, Rule,
} from "./settings"

/** ASCII case mapping: header names and methods are ASCII, and the Unicode tables cost ~10 KB. */
export function asciiCase(s: string, upper: bool): string {
  const from = upper ? 0x61 : 0x41
  let out: string | null = null
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= from && c < from + 26) {
      out = ""
      break
    }
  }
  if (out == null) return s
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    out += String.fromCharCode(c >= from && c < from + 26 ? c ^ 0x20 : c)
  }
  return out!
}

/** Records `path.key: unknown field` for keys outside `known` (catches typos like "issuer"). */
function onlyKnown(cfg: Config, known: string[]): void {
  const keys = cfg.keys()
  for (let i = 0; i < keys.length; i++) {
    if (!known.includes(keys[i])) cfg.invalid(keys[i], "unknown field (expected one of " + known.join(", ") + ")")
  }
}

function strings(cfg: Config, key: string, lower: bool): string[] {
  const arr = cfg.arrayOr(key)
  const out = new Array<string>()
  for (let i = 0; i < arr.length; i++) {
    const s = arr.string(i)
    if (s.length == 0) arr.errors.add(arr.path + "[" + i.toString() + "]", "must not be empty", null)
    else out.push(lower ? asciiCase(s, false) : s)
  }
  return out
}

function positiveMs(cfg: Config, key: string, fallback: u32): u32 {
  const v = cfg.intOr(key, fallback)
  if (v < 1 || v > 86_400_000) {
    cfg.invalid(key, "must be between 1 and 86400000")
    return fallback
  }
  return <u32>v
}

function headerName(cfg: Config, key: string, fallback: string): string {
  const s = cfg.stringOr(key, fallback)
  if (s.length > 0 && s.charCodeAt(0) == 0x3a) cfg.invalid(key, "must be a regular header, not a pseudo-header")
  return asciiCase(s, false)
}

function parseApiKeys(cfg: Config): ApiKeySettings {
  onlyKnown(cfg, ["header", "query", "keys", "consumerHeader", "strip"])
  const s = new ApiKeySettings()
  s.header = headerName(cfg, "header", cfg.has("query") ? "" : "x-api-key")
  s.query = cfg.stringOr("query", "")
  s.consumerHeader = headerName(cfg, "consumerHeader", "")
  s.strip = cfg.boolOr("strip", false)
  const keys = cfg.array("keys")
  for (let i = 0; i < keys.length; i++) {
    const k = keys.object(i)
    onlyKnown(k, ["name", "sha256"])
    const name = k.string("name")
    const hex = k.string("sha256")
    const hash = fromHex(hex)
    if (hash == null || hash.length != 32) k.invalid("sha256", "must be 64 hex digits (the SHA-256 of the key)")
    else s.keys.push(new ApiKey(name, hash))
  }
  if (keys.length == 0) cfg.invalid("keys", "must hold at least one key")
  return s
}

function parseClaimPath(path: string): string[] {
  return path.split(".")
}

function parseJwks(cfg: Config): JwksSettings {
  onlyKnown(cfg, ["cluster", "path", "authority", "refreshIntervalMs", "retryIntervalMs", "timeoutMs"])
  const s = new JwksSettings()
  s.cluster = cfg.string("cluster")
  s.path = cfg.string("path")
  if (s.path.length > 0 && s.path.charCodeAt(0) != 0x2f) cfg.invalid("path", "must start with /")
  s.authority = cfg.stringOr("authority", s.cluster)
  s.refreshMs = positiveMs(cfg, "refreshIntervalMs", s.refreshMs)
  s.retryMs = positiveMs(cfg, "retryIntervalMs", s.retryMs)
  s.timeoutMs = positiveMs(cfg, "timeoutMs", s.timeoutMs)
  return s
}

function parseJwt(cfg: Config): JwtSettings {
  onlyKnown(cfg, ["header", "prefix", "query", "algorithms", "issuers", "audiences", "clockSkewSeconds", "requireExpiration", "keys", "jwks", "claimsToHeaders", "strip"])
  const s = new JwtSettings()
  s.header = headerName(cfg, "header", cfg.has("query") ? "" : "authorization")
  s.prefix = cfg.stringOr("prefix", s.header == "authorization" ? "Bearer " : "")
  s.query = cfg.stringOr("query", "")
  const algs = cfg.arrayOr("algorithms")
  for (let i = 0; i < algs.length; i++) {
    const a = algFromName(algs.string(i))
    if (a == 0) algs.errors.add(algs.path + "[" + i.toString() + "]", "must be HS256, RS256 or ES256", algs.value.items[i])
    else s.algorithms |= 1 << a
  }
  s.issuers = strings(cfg, "issuers", false)
  s.audiences = strings(cfg, "audiences", false)
  const skew = cfg.intOr("clockSkewSeconds", 60)
  if (skew < 0 || skew > 3600) cfg.invalid("clockSkewSeconds", "must be between 0 and 3600")
  else s.clockSkewS = skew
  s.requireExp = cfg.boolOr("requireExpiration", true)
  s.strip = cfg.boolOr("strip", false)
  const keys = cfg.arrayOr("keys")
  for (let i = 0; i < keys.length; i++) {
    const key = parseKey(keys.value.items[i])
    if (key == null) keys.errors.add(keys.path + "[" + i.toString() + "]", keyError, null)
    else s.keys.push(key)
  }
  const jwks = cfg.objectOr("jwks")
  if (jwks != null) s.jwks = parseJwks(jwks)
  if (s.keys.length == 0 && s.jwks == null && keys.length == 0) cfg.invalid("keys", "needs at least one key, or a jwks source")
  // No list: every algorithm some configured key can verify (a JWKS may bring any of them).
  if (algs.length == 0) {
    if (s.jwks != null) s.algorithms = (1 << ALG_HS256) | (1 << ALG_RS256) | (1 << ALG_ES256)
    for (let i = 0; i < s.keys.length; i++) s.algorithms |= 1 << s.keys[i].alg
    // A JWKS publishes public keys; accepting HS256 from it would invite confusion attacks.
    if (s.jwks != null && !hasSecretKey(s)) s.algorithms &= ~(1 << ALG_HS256)
  }
  const claims = cfg.arrayOr("claimsToHeaders")
  for (let i = 0; i < claims.length; i++) {
    const c = claims.object(i)
    onlyKnown(c, ["claim", "header"])
    const claim = c.string("claim")
    const header = headerName(c, "header", "")
    if (header.length == 0) c.invalid("header", "is required: expected a header name")
    else if (claim.length > 0) s.claimHeaders.push(new ClaimHeader(parseClaimPath(claim), header))
  }
  if (s.header.length == 0 && s.query.length == 0) cfg.invalid("header", "needs a header or a query parameter to read the token from")
  return s
}

function hasSecretKey(s: JwtSettings): bool {
  for (let i = 0; i < s.keys.length; i++) if (s.keys[i].alg == ALG_HS256) return true
  return false
}

function parseExtAuthz(cfg: Config): ExtAuthzSettings {
  onlyKnown(cfg, ["cluster", "pathPrefix", "authority", "timeoutMs", "headers", "upstreamHeaders", "clientHeaders", "failureMode", "statusOnError"])
  const s = new ExtAuthzSettings()
  s.cluster = cfg.string("cluster")
  s.pathPrefix = cfg.stringOr("pathPrefix", "")
  if (s.pathPrefix.length > 0 && s.pathPrefix.charCodeAt(0) != 0x2f) cfg.invalid("pathPrefix", "must start with /")
  s.authority = cfg.stringOr("authority", s.cluster)
  s.timeoutMs = positiveMs(cfg, "timeoutMs", s.timeoutMs)
  if (cfg.has("headers")) s.headers = strings(cfg, "headers", true)
  if (cfg.has("upstreamHeaders")) s.upstreamHeaders = strings(cfg, "upstreamHeaders", true)
  if (cfg.has("clientHeaders")) s.clientHeaders = strings(cfg, "clientHeaders", true)
  const mode = cfg.stringOr("failureMode", "closed")
  if (mode == "open") s.failOpen = true
  else if (mode != "closed") cfg.invalid("failureMode", "must be \"open\" or \"closed\"")
  const status = cfg.intOr("statusOnError", 503)
  if (status < 400 || status > 599) cfg.invalid("statusOnError", "must be an HTTP error status (400-599)")
  else s.statusOnError = <u32>status
  return s
}

const CREDENTIAL_NAMES = ["apiKey", "jwt", "extAuthz"]

function parseRule(r: Config, s: AuthSettings): Rule {
  onlyKnown(r, ["prefix", "path", "methods", "public", "deny", "require", "claims"])
  const rule = new Rule()
  rule.prefix = r.stringOr("prefix", "")
  rule.exact = r.stringOr("path", "")
  if (!r.has("prefix") && !r.has("path")) r.invalid("prefix", "is required: a rule needs a prefix or a path")
  if (r.has("prefix") && r.has("path")) r.invalid("path", "give either prefix or path, not both")
  if (rule.prefix.length > 0 && rule.prefix.charCodeAt(0) != 0x2f) r.invalid("prefix", "must start with /")
  if (rule.exact.length > 0 && rule.exact.charCodeAt(0) != 0x2f) r.invalid("path", "must start with /")
  const methods = strings(r, "methods", false)
  for (let i = 0; i < methods.length; i++) rule.methods.push(asciiCase(methods[i], true))
  rule.isPublic = r.boolOr("public", false)
  rule.deny = r.boolOr("deny", false)
  if (rule.isPublic && rule.deny) r.invalid("deny", "a rule cannot be both public and deny")
  if (r.has("require")) {
    const req = r.array("require")
    for (let i = 0; i < req.length; i++) {
      const name = req.string(i)
      const at = req.path + "[" + i.toString() + "]"
      if (!CREDENTIAL_NAMES.includes(name)) req.errors.add(at, "must be apiKey, jwt or extAuthz", req.value.items[i])
      else if (name == "apiKey" && s.apiKeys == null) req.errors.add(at, "apiKey is not configured (add an apiKeys section)", null)
      else if (name == "jwt" && s.jwt == null) req.errors.add(at, "jwt is not configured (add a jwt section)", null)
      else if (name == "extAuthz" && s.extAuthz == null) req.errors.add(at, "extAuthz is not configured (add an extAuthz section)", null)
      else if (name == "apiKey") rule.credentials |= METHOD_API_KEY
      else if (name == "jwt") rule.credentials |= METHOD_JWT
      else rule.extAuthz = true
    }
    if (req.length == 0) r.invalid("require", "must name at least one of apiKey, jwt, extAuthz (use public: true for none)")
  } else {
    rule.credentials = s.fallback.credentials
    rule.extAuthz = s.fallback.extAuthz
  }
  const claims = r.objectOr("claims")
  if (claims != null) {
    if (s.jwt == null || (rule.credentials & METHOD_JWT) == 0) r.invalid("claims", "needs the jwt credential")
    const keys = claims.keys()
    for (let i = 0; i < keys.length; i++) {
      const v = claims.value.items[i]
      if (v.kind != JsonKind.String) claims.invalid(keys[i], "expected a string")
      else rule.claims.push(new RequiredClaim(parseClaimPath(keys[i]), v.str))
    }
  }
  return rule
}

/** Parses `cfg` into settings; check `cfg.ok` afterwards. */
export function parseSettings(cfg: Config): AuthSettings {
  onlyKnown(cfg, ["realm", "apiKeys", "jwt", "extAuthz", "rules"])
  const s = new AuthSettings()
  s.realm = cfg.stringOr("realm", s.realm)
  if (s.realm.includes("\"")) cfg.invalid("realm", "must not contain a double quote")
  const apiKeys = cfg.objectOr("apiKeys")
  if (apiKeys != null) s.apiKeys = parseApiKeys(apiKeys)
  const jwt = cfg.objectOr("jwt")
  if (jwt != null) s.jwt = parseJwt(jwt)
  const ext = cfg.objectOr("extAuthz")
  if (ext != null) s.extAuthz = parseExtAuthz(ext)
  if (s.apiKeys == null && s.jwt == null && s.extAuthz == null) cfg.invalid("jwt", "configure at least one of apiKeys, jwt, extAuthz")
  s.fallback.credentials = (s.apiKeys != null ? METHOD_API_KEY : 0) | (s.jwt != null ? METHOD_JWT : 0)
  s.fallback.extAuthz = s.extAuthz != null
  const rules: ConfigArray = cfg.arrayOr("rules")
  for (let i = 0; i < rules.length; i++) s.rules.push(parseRule(rules.object(i), s))
  // Headers this filter sets must never come from the client.
  const apiKeySettings = s.apiKeys
  if (apiKeySettings != null && apiKeySettings.consumerHeader.length > 0) s.ownedHeaders.push(apiKeySettings.consumerHeader)
  const jwtSettings = s.jwt
  if (jwtSettings != null) for (let i = 0; i < jwtSettings.claimHeaders.length; i++) s.ownedHeaders.push(jwtSettings.claimHeaders[i].header)
  const extSettings = s.extAuthz
  if (extSettings != null) {
    for (let i = 0; i < extSettings.upstreamHeaders.length; i++) {
      const h = extSettings.upstreamHeaders[i]
      if (h.endsWith("*")) s.ownedPrefixes.push(h.slice(0, h.length - 1))
      else s.ownedHeaders.push(h)
    }
  }
  return s
}
