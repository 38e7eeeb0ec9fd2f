/**
 * @module
 * Signs JWTs with node:crypto for the auth filter's tests: HS256, RS256 and ES256, keys as JWK
 * or PEM. The filter verifies with its own AssemblyScript code; node:crypto is the reference.
 */
import { createHash, createHmac, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'

export type Alg = 'HS256' | 'RS256' | 'ES256'

const b64u = (b: Buffer | string): string => Buffer.from(b).toString('base64url')

export interface SigningKey {
  readonly alg: Alg
  readonly kid?: string | undefined
  /** HS256: the secret; RS256/ES256: the private key. */
  readonly secret?: Buffer
  readonly privateKey?: KeyObject
  /** The public JWK (for HS256: the oct JWK with `k`). */
  readonly jwk: Record<string, string>
  /** The public key as PEM (SPKI); undefined for HS256. */
  readonly pem?: string
}

export function hmacKey(secret: Buffer | string, kid?: string): SigningKey {
  const s = Buffer.from(secret)
  return { alg: 'HS256', kid, secret: s, jwk: { kty: 'oct', k: b64u(s), ...(kid ? { kid } : {}) } }
}

export function rsaKey(kid?: string, modulusLength = 2048): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength })
  const jwk = publicKey.export({ format: 'jwk' }) as Record<string, string>
  return { alg: 'RS256', kid, privateKey, jwk: { ...jwk, ...(kid ? { kid } : {}) }, pem: publicKey.export({ format: 'pem', type: 'spki' }).toString() }
}

export function ecKey(kid?: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = publicKey.export({ format: 'jwk' }) as Record<string, string>
  return { alg: 'ES256', kid, privateKey, jwk: { ...jwk, ...(kid ? { kid } : {}) }, pem: publicKey.export({ format: 'pem', type: 'spki' }).toString() }
}

/** An RSA key from a private JWK (for fixed test vectors). */
export function rsaKeyFromJwk(privateJwk: Record<string, string>): KeyObject {
  return createPrivateKey({ key: privateJwk, format: 'jwk' })
}

export const nowS = (): number => Math.floor(Date.now() / 1000)

/** A signed compact JWT. `header` overrides (alg, kid, typ...) are applied after the defaults. */
export function signJwt(key: SigningKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const h = { alg: key.alg, typ: 'JWT', ...(key.kid ? { kid: key.kid } : {}), ...header }
  const input = `${b64u(JSON.stringify(h))}.${b64u(JSON.stringify(claims))}`
  let sig: Buffer
  if (key.alg === 'HS256') sig = createHmac('sha256', key.secret as Buffer).update(input).digest()
  else if (key.alg === 'RS256') sig = sign('sha256', Buffer.from(input), key.privateKey as KeyObject)
  else sig = sign('sha256', Buffer.from(input), { key: key.privateKey as KeyObject, dsaEncoding: 'ieee-p1363' })
  return `${input}.${b64u(sig)}`
}

/** Replaces one character of the signature part (a forged token with a valid shape). */
export function tamper(token: string): string {
  const [h, p, s] = token.split('.') as [string, string, string]
  const i = Math.floor(s.length / 2)
  const c = s[i] === 'A' ? 'B' : 'A'
  return `${h}.${p}.${s.slice(0, i)}${c}${s.slice(i + 1)}`
}

export const sha256Hex = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex')
