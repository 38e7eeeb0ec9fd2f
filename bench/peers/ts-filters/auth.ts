/**
 * @module
 * The auth filter's per-request logic as plain TypeScript, to compare the Wasm filter with the
 * same work done in the host (filters/auth is the reference; same config format for API keys,
 * inline JWT keys, claims, rules; same replies). Crypto is node:crypto, as a host would use it.
 * Not covered: JWKS fetching and ext authz (both are http calls, measured by the Wasm filter's
 * own scenarios). Wire it to a host hook API as:
 *
 *   const auth = createAuth(config)
 *   const v = auth.onRequest(req)       // { reply } to send, or { setHeaders, removeHeaders, path }
 *
 * Config validation is minimal here (the Wasm filter checks every field).
 */
import { createHash, createHmac, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto'

export interface AuthRequest {
  readonly method: string
  /** `:path`, query included. */
  readonly path: string
  header(name: string): string | undefined
}

type Jwk = Record<string, string>
interface RuleConfig { prefix?: string; path?: string; methods?: string[]; public?: boolean; deny?: boolean; require?: string[]; claims?: Record<string, string> }
export interface AuthConfig {
  realm?: string
  apiKeys?: { header?: string; query?: string; keys: Array<{ name: string; sha256: string }>; consumerHeader?: string; strip?: boolean }
  jwt?: { header?: string; prefix?: string; keys?: Jwk[]; algorithms?: string[]; issuers?: string[]; audiences?: string[]; clockSkewSeconds?: number; requireExpiration?: boolean; claimsToHeaders?: Array<{ claim: string; header: string }>; strip?: boolean }
  rules?: RuleConfig[]
}

export interface Verdict {
  readonly reply?: { status: number; headers: Array<[string, string]>; body: string }
  readonly setHeaders?: Array<[string, string]>
  readonly removeHeaders?: string[]
}

interface Key { alg: string; kid?: string | undefined; secret?: Buffer; pub?: KeyObject }

function toKey(j: Jwk): Key {
  if (j.secret !== undefined) return { alg: 'HS256', kid: j.kid, secret: Buffer.from(j.secret) }
  if (j.kty === 'oct') return { alg: 'HS256', kid: j.kid, secret: Buffer.from(j.k ?? '', 'base64url') }
  const pub = j.pem !== undefined ? createPublicKey(j.pem) : createPublicKey({ key: j, format: 'jwk' })
  return { alg: pub.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256', kid: j.kid, pub }
}

const claimAt = (c: Record<string, unknown>, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), c)
const hasValue = (v: unknown, want: string): boolean => (typeof v === 'string' ? v === want || v.split(' ').includes(want) : Array.isArray(v) ? v.some((x) => hasValue(x, want)) : String(v) === want)

export function createAuth(config: AuthConfig) {
  const realm = config.realm ?? 'wasmgate'
  const ak = config.apiKeys
  const hashes = (ak?.keys ?? []).map((k) => ({ name: k.name, hash: Buffer.from(k.sha256, 'hex') }))
  const jwt = config.jwt
  const keys = (jwt?.keys ?? []).map(toKey)
  const algs = new Set(jwt?.algorithms ?? keys.map((k) => k.alg))
  const skew = jwt?.clockSkewSeconds ?? 60
  const prefix = jwt?.prefix ?? 'Bearer '
  const fallback: RuleConfig = { require: [...(ak ? ['apiKey'] : []), ...(jwt ? ['jwt'] : [])] }
  const rules = config.rules ?? []

  // As filters/auth/assembly/deny.ts: challenges for the credentials the rule accepts, RFC 6750
  // error attributes when a token was presented, the request id in the body when there is one.
  const deny = (req: AuthRequest, status: number, reason: string, need: readonly string[], tokenPresented = false, insufficientScope = false): Verdict => {
    const headers: Array<[string, string]> = [['content-type', 'application/json'], ['cache-control', 'no-store']]
    if (status === 401 || insufficientScope) {
      if (need.includes('jwt')) {
        const bearer = `Bearer realm="${realm}"`
        headers.push(['www-authenticate', insufficientScope ? `${bearer}, error="insufficient_scope"` : tokenPresented ? `${bearer}, error="invalid_token", error_description="${reason}"` : bearer])
      }
      if (need.includes('apiKey') && !insufficientScope) headers.push(['www-authenticate', `ApiKey realm="${realm}"`])
    }
    const requestId = req.header('x-request-id')
    const body = { error: status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : 'denied', reason, ...(requestId !== undefined ? { requestId } : {}) }
    return { reply: { status, headers, body: JSON.stringify(body) } }
  }

  function verifyJwt(token: string): Record<string, unknown> | string {
    const [h, p, s, extra] = token.split('.')
    if (h === undefined || p === undefined || s === undefined || extra !== undefined) return 'malformed token'
    let header: Record<string, unknown>, claims: Record<string, unknown>
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>
      claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>
    } catch {
      return 'malformed token'
    }
    const alg = String(header.alg)
    if (!algs.has(alg)) return 'algorithm not allowed'
    const input = Buffer.from(`${h}.${p}`)
    const sig = Buffer.from(s, 'base64url')
    const candidates = keys.filter((k) => k.alg === alg && (header.kid === undefined || k.kid === undefined || k.kid === header.kid))
    if (candidates.length === 0) return 'no key for this token'
    const ok = candidates.some((k) => {
      if (k.secret) {
        const mac = createHmac('sha256', k.secret).update(input).digest()
        return mac.length === sig.length && timingSafeEqual(mac, sig)
      }
      return verify('sha256', input, alg === 'ES256' ? { key: k.pub as KeyObject, dsaEncoding: 'ieee-p1363' } : (k.pub as KeyObject), sig)
    })
    if (!ok) return 'invalid signature'
    const now = Date.now() / 1000
    if (typeof claims.exp !== 'number') {
      if ((jwt?.requireExpiration ?? true) || claims.exp !== undefined) return 'token has no valid exp'
    } else if (now > claims.exp + skew) return 'token expired'
    if (typeof claims.nbf === 'number' && now + skew < claims.nbf) return 'token not yet valid'
    if (jwt?.issuers?.length && !jwt.issuers.includes(String(claims.iss))) return 'issuer not allowed'
    if (jwt?.audiences?.length) {
      const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
      if (!aud.some((a) => jwt.audiences?.includes(String(a)))) return 'audience not allowed'
    }
    return claims
  }

  return {
    onRequest(req: AuthRequest): Verdict {
      const q = req.path.indexOf('?')
      const path = q < 0 ? req.path : req.path.slice(0, q)
      const rule = rules.find((r) => (r.path !== undefined ? path === r.path : path.startsWith(r.prefix ?? '')) && (!r.methods || r.methods.includes(req.method))) ?? fallback
      if (rule.public) return {}
      if (rule.deny) return deny(req, 403, 'denied by rule', [])
      const need = rule.require ?? fallback.require ?? []
      const setHeaders: Array<[string, string]> = []
      const removeHeaders: string[] = []
      let reason = 'missing credentials'
      if (ak && need.includes('apiKey')) {
        const key = req.header(ak.header ?? 'x-api-key')
        if (key !== undefined) {
          const digest = createHash('sha256').update(key).digest()
          const found = hashes.find((h) => timingSafeEqual(h.hash, digest))
          if (found) {
            if (ak.consumerHeader) setHeaders.push([ak.consumerHeader, found.name])
            if (ak.strip) removeHeaders.push(ak.header ?? 'x-api-key')
            // Claims need a JWT: a key alone does not satisfy such a rule.
            if (!rule.claims) return { setHeaders, removeHeaders }
            reason = ''
          } else reason = 'invalid API key'
        }
      }
      if (jwt && need.includes('jwt')) {
        const h = req.header(jwt.header ?? 'authorization')
        if (h !== undefined && h.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase()) {
          const result = verifyJwt(h.slice(prefix.length).trim())
          if (typeof result === 'string') return deny(req, 401, result, need, true)
          for (const [claim, want] of Object.entries(rule.claims ?? {})) {
            if (!hasValue(claimAt(result, claim), want)) return deny(req, 403, `missing required claim ${claim}`, need, true, true)
          }
          for (const c of jwt.claimsToHeaders ?? []) {
            const v = claimAt(result, c.claim)
            if (v !== undefined && v !== null && typeof v !== 'object') setHeaders.push([c.header, String(v)])
            else if (Array.isArray(v)) setHeaders.push([c.header, v.join(',')])
          }
          if (jwt.strip) removeHeaders.push(jwt.header ?? 'authorization')
          return { setHeaders, removeHeaders }
        }
      }
      if (reason === '') return deny(req, 403, 'this path needs a JWT with claims', need, false, true)
      return deny(req, 401, reason, need)
    },
  }
}
