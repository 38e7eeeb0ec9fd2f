// JWS compact tokens (RFC 7515) carrying JWT claims (RFC 7519): split, decode, pick the key,
// verify the signature, check exp/nbf/iss/aud. Returns the reason for a rejection, or "" with
// the claims in `verifiedClaims`.
import { JsonKind, JsonValue, parseJson } from "wasmgate/sdk/assembly"
import { decodeBase64Url } from "./base64"
import { ALG_ES256, ALG_HS256, ALG_RS256, VerifyKey, algFromName } from "./keys"
import { JwtSettings } from "./settings"
import { hmacSha256, sha256, bytesEqual } from "./sha256"

/** The claims of the token that verifyJwt last accepted. */
export let verifiedClaims: JsonValue | null = null
/** True when the last rejection was for want of a key (a JWKS refresh may bring it). */
export let missingKey: bool = false

const HASH: usize = memory.data(32)
const MAC: usize = memory.data(32)
let input: usize = 0
let inputCap: usize = 0

/** The signing input (ASCII) as bytes, in a buffer reused across requests. */
function signingInput(token: string, len: i32): usize {
  if (<usize>len > inputCap) {
    inputCap = max(<usize>len, 1024)
    if (input != 0) heap.free(input)
    input = heap.alloc(inputCap)
  }
  for (let i = 0; i < len; i++) store<u8>(input + <usize>i, <u8>token.charCodeAt(i))
  return input
}

function decodeJsonPart(token: string, start: i32, end: i32): JsonValue | null {
  const bytes = decodeBase64Url(token, start, end)
  if (bytes == null) return null
  const v = parseJson(String.UTF8.decodeUnsafe(bytes.dataStart, <usize>bytes.length))
  return v != null && v.kind == JsonKind.Object ? v : null
}

function stringField(v: JsonValue, key: string): string | null {
  const f = v.field(key)
  return f != null && f.kind == JsonKind.String ? f.str : null
}

function verifyWith(key: VerifyKey, alg: u8, data: usize, len: usize, sig: Uint8Array): bool {
  if (alg == ALG_HS256) {
    if (sig.length != 32) return false
    hmacSha256(key.hmac!, data, len, MAC)
    return bytesEqual(MAC, sig.dataStart, 32)
  }
  sha256(data, len, HASH)
  if (alg == ALG_RS256) return key.rsa!.verifySha256(HASH, sig)
  return key.ec!.verifySha256(HASH, sig)
}

/** Tries `keys` that fit alg/kid. 1: verified, 0: a candidate key rejected it, -1: no candidate. */
function verifySignature(keys: VerifyKey[], alg: u8, kid: string | null, data: usize, len: usize, sig: Uint8Array): i32 {
  let tried = false
  for (let i = 0, n = keys.length; i < n; i++) {
    const key = unchecked(keys[i])
    if (key.alg != alg) continue
    // A token naming its key is checked only against that key (RFC 7515 section 4.1.4).
    if (kid != null && key.kid.length > 0 && key.kid != kid) continue
    tried = true
    if (verifyWith(key, alg, data, len, sig)) return 1
  }
  return tried ? 0 : -1
}

function numberClaim(claims: JsonValue, name: string): JsonValue | null {
  const v = claims.field(name)
  return v != null && v.kind == JsonKind.Number ? v : null
}

function audienceMatches(claims: JsonValue, audiences: string[]): bool {
  const aud = claims.field("aud")
  if (aud == null) return false
  if (aud.kind == JsonKind.String) return audiences.includes(aud.str)
  if (aud.kind != JsonKind.Array) return false
  for (let i = 0; i < aud.items.length; i++) {
    const a = aud.items[i]
    if (a.kind == JsonKind.String && audiences.includes(a.str)) return true
  }
  return false
}

// Tokens whose signature verified, direct-mapped by a hash of the signature part. A client
// usually sends the same token many times; a hit skips decoding and the signature (the costly
// part of RS256/ES256) but not the time, issuer and audience checks. Cleared whenever the keys
// change, so a key removed from the JWKS stops admitting its tokens at once.
const CACHE_SLOTS = 64
const cachedTokens = new StaticArray<string | null>(CACHE_SLOTS)
const cachedClaims = new StaticArray<JsonValue | null>(CACHE_SLOTS)

export function clearTokenCache(): void {
  for (let i = 0; i < CACHE_SLOTS; i++) {
    unchecked(cachedTokens[i] = null)
    unchecked(cachedClaims[i] = null)
  }
}

function cacheSlot(token: string): i32 {
  // FNV-1a over the last 16 characters (the signature: unique per token) and the length.
  let h: u32 = 0x811c9dc5 ^ <u32>token.length
  for (let i = max(0, token.length - 16); i < token.length; i++) h = (h ^ <u32>token.charCodeAt(i)) * 0x01000193
  return <i32>(h & (CACHE_SLOTS - 1))
}

/**
 * Verifies `token` against the inline keys and `fetched` (JWKS) keys at `nowS` (Unix seconds).
 * Returns "" when valid, or a short reason for the client and the log.
 */
export function verifyJwt(token: string, s: JwtSettings, fetched: VerifyKey[], nowS: i64): string {
  verifiedClaims = null
  missingKey = false
  const slot = cacheSlot(token)
  const hit = unchecked(cachedTokens[slot])
  if (hit != null && hit == token) return checkClaims(unchecked(cachedClaims[slot])!, s, nowS)
  const dot1 = token.indexOf(".")
  const dot2 = dot1 < 0 ? -1 : token.indexOf(".", dot1 + 1)
  if (dot2 < 0 || token.indexOf(".", dot2 + 1) >= 0) return "malformed token"
  const header = decodeJsonPart(token, 0, dot1)
  if (header == null) return "malformed token header"
  const algName = stringField(header, "alg")
  const alg = algName == null ? <u8>0 : algFromName(algName)
  if (alg == 0 || (s.algorithms & (1 << alg)) == 0) return "algorithm not allowed"
  // No extension is understood, so any critical one makes the token invalid (RFC 7515 4.1.11).
  if (header.field("crit") != null) return "unsupported critical header"
  const claims = decodeJsonPart(token, dot1 + 1, dot2)
  if (claims == null) return "malformed token payload"
  const sig = decodeBase64Url(token, dot2 + 1)
  if (sig == null) return "malformed token signature"
  const data = signingInput(token, dot2)
  const kid = stringField(header, "kid")
  let result = verifySignature(s.keys, alg, kid, data, <usize>dot2, sig)
  if (result != 1) {
    const fromJwks = verifySignature(fetched, alg, kid, data, <usize>dot2, sig)
    if (fromJwks != -1) result = fromJwks
  }
  if (result == -1) {
    missingKey = true
    return "no key for this token"
  }
  if (result == 0) return "invalid signature"
  unchecked(cachedTokens[slot] = token)
  unchecked(cachedClaims[slot] = claims)
  return checkClaims(claims, s, nowS)
}

function checkClaims(claims: JsonValue, s: JwtSettings, nowS: i64): string {
  const nowF = <f64>nowS
  const skew = <f64>s.clockSkewS
  const exp = numberClaim(claims, "exp")
  if (exp == null) {
    if (s.requireExp || claims.field("exp") != null) return "token has no valid exp"
  } else if (nowF > exp.num + skew) return "token expired"
  const nbf = numberClaim(claims, "nbf")
  if (nbf != null && nowF + skew < nbf.num) return "token not yet valid"
  if (s.issuers.length > 0) {
    const iss = stringField(claims, "iss")
    if (iss == null || !s.issuers.includes(iss)) return "issuer not allowed"
  }
  if (s.audiences.length > 0 && !audienceMatches(claims, s.audiences)) return "audience not allowed"
  verifiedClaims = claims
  return ""
}

/** The claim at a dotted path (`realm_access.roles`), or null. */
export function claimAt(claims: JsonValue, path: string[]): JsonValue | null {
  let v: JsonValue | null = claims
  for (let i = 0; i < path.length && v != null; i++) {
    if (v.kind != JsonKind.Object) return null
    v = v.field(unchecked(path[i]))
  }
  return v
}

/** A claim as header text: strings as they are, numbers, booleans, arrays joined with ",". */
export function claimText(v: JsonValue): string | null {
  if (v.kind == JsonKind.String) return v.str
  if (v.kind == JsonKind.Bool) return v.bool ? "true" : "false"
  if (v.kind == JsonKind.Number) return numberText(v.num)
  if (v.kind == JsonKind.Array) {
    let out = ""
    for (let i = 0; i < v.items.length; i++) {
      const t = claimText(v.items[i])
      if (t == null) continue
      if (out.length > 0) out += ","
      out += t
    }
    return out
  }
  return null
}

/** True when the claim holds `value`: equal, in an array, or a word of a space-separated string (scope). */
export function claimHas(v: JsonValue, value: string): bool {
  if (v.kind == JsonKind.String) {
    if (v.str == value) return true
    const words = v.str.split(" ")
    return words.includes(value)
  }
  if (v.kind == JsonKind.Array) {
    for (let i = 0; i < v.items.length; i++) if (claimHas(v.items[i], value)) return true
    return false
  }
  const t = claimText(v)
  return t != null && t == value
}

/** Integers exactly; other numbers with up to 6 decimals (no dtoa: it would add ~8 KB). */
function numberText(x: f64): string {
  if (x == Math.floor(x) && Math.abs(x) < 9e15) return (<i64>x).toString()
  const negative = x < 0
  const a = Math.abs(x)
  if (!(a < 9e15)) return negative ? "-1e15+" : "1e15+"
  let whole = Math.floor(a)
  let frac = <i64>Math.round((a - whole) * 1e6)
  if (frac >= 1_000_000) {
    whole += 1
    frac = 0
  }
  let digits = ""
  for (let i = 0; i < 6; i++) {
    digits = String.fromCharCode(0x30 + <i32>(frac % 10)) + digits
    frac /= 10
  }
  let end = digits.length
  while (end > 0 && digits.charCodeAt(end - 1) == 0x30) end--
  return (negative ? "-" : "") + (<i64>whole).toString() + (end > 0 ? "." + digits.slice(0, end) : "")
}
