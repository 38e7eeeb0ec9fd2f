// Verification keys from JWKs (RFC 7517/7518) or PEM, each bound to the one JWS algorithm it
// serves: oct -> HS256, RSA -> RS256, EC P-256 -> ES256. Parsing happens at configuration time
// or when a JWKS arrives, never per request.
import { JsonKind, JsonValue } from "wasmgate/sdk/assembly"
import { decodeBase64Url } from "./base64"
import { Der, OID_EC, OID_P256, OID_RSA, TAG_BIT_STRING, TAG_INTEGER, TAG_SEQUENCE, isOid, pemBody, pemLabel, readDer } from "./der"
import { EcKey } from "./p256"
import { RsaKey, rsaKeyError } from "./rsa"
import { HmacKey } from "./sha256"

export const ALG_HS256: u8 = 1
export const ALG_RS256: u8 = 2
export const ALG_ES256: u8 = 3

/** "HS256" -> ALG_HS256...; 0 for anything else (none, HS384, PS256...). */
export function algFromName(name: string): u8 {
  if (name == "HS256") return ALG_HS256
  if (name == "RS256") return ALG_RS256
  if (name == "ES256") return ALG_ES256
  return 0
}

export function algName(alg: u8): string {
  return alg == ALG_HS256 ? "HS256" : alg == ALG_RS256 ? "RS256" : alg == ALG_ES256 ? "ES256" : "?"
}

export class VerifyKey {
  kid: string = ""
  alg: u8 = 0
  hmac: HmacKey | null = null
  rsa: RsaKey | null = null
  ec: EcKey | null = null
}

/** Why the last parse returned null. */
export let keyError: string = ""

function fail(message: string): VerifyKey | null {
  keyError = message
  return null
}

function str(v: JsonValue, key: string): string | null {
  const f = v.field(key)
  return f != null && f.kind == JsonKind.String ? f.str : null
}

function b64field(v: JsonValue, key: string): Uint8Array | null {
  const s = str(v, key)
  if (s == null) {
    keyError = "'" + key + "' is required (base64url)"
    return null
  }
  const b = decodeBase64Url(s)
  if (b == null) keyError = "'" + key + "' is not base64url"
  return b
}

/**
 * A key from one JWK object, or from our inline shorthands `{ "pem": "-----BEGIN..." }` and
 * `{ "secret": "text" }` (HS256 with the UTF-8 bytes of the text). `kid` and `alg` apply to all.
 */
export function parseKey(v: JsonValue): VerifyKey | null {
  if (v.kind != JsonKind.Object) return fail("expected an object (a JWK)")
  let key: VerifyKey | null = null
  const pem = str(v, "pem")
  const secret = str(v, "secret")
  const kty = str(v, "kty")
  if (pem != null) key = parsePem(pem)
  else if (secret != null) {
    if (secret.length == 0) return fail("'secret' must not be empty")
    key = new VerifyKey()
    key.alg = ALG_HS256
    key.hmac = new HmacKey(Uint8Array.wrap(String.UTF8.encode(secret)))
  } else if (kty == null) return fail("needs 'kty' (a JWK), 'pem' or 'secret'")
  else if (kty == "oct") {
    const k = b64field(v, "k")
    if (k == null) return null
    if (k.length == 0) return fail("'k' must not be empty")
    key = new VerifyKey()
    key.alg = ALG_HS256
    key.hmac = new HmacKey(k)
  } else if (kty == "RSA") {
    const n = b64field(v, "n")
    if (n == null) return null
    const e = b64field(v, "e")
    if (e == null) return null
    key = rsaKey(n, e)
  } else if (kty == "EC") {
    const crv = str(v, "crv")
    if (crv != "P-256") return fail("EC keys must use crv P-256")
    const x = b64field(v, "x")
    if (x == null) return null
    const y = b64field(v, "y")
    if (y == null) return null
    key = ecKey(x, y)
  } else return fail("unsupported kty '" + kty + "' (use oct, RSA or EC)")
  if (key == null) return null
  const kid = str(v, "kid")
  if (kid != null) key.kid = kid
  const alg = str(v, "alg")
  if (alg != null && algFromName(alg) != key.alg) return fail("alg '" + alg + "' does not fit this key (it verifies " + algName(key.alg) + ")")
  return key
}

function rsaKey(n: Uint8Array, e: Uint8Array): VerifyKey | null {
  const rsa = RsaKey.from(n, e)
  if (rsa == null) return fail(rsaKeyError)
  const key = new VerifyKey()
  key.alg = ALG_RS256
  key.rsa = rsa
  return key
}

function ecKey(x: Uint8Array, y: Uint8Array): VerifyKey | null {
  const ec = EcKey.from(x, y)
  if (ec == null) return fail("the EC point is not on P-256")
  const key = new VerifyKey()
  key.alg = ALG_ES256
  key.ec = ec
  return key
}

/** A PEM public key: "PUBLIC KEY" (SPKI, RSA or P-256) or "RSA PUBLIC KEY" (PKCS#1). */
export function parsePem(pem: string): VerifyKey | null {
  const der = pemBody(pem)
  if (der == null) return fail("'pem' is not a PEM block")
  const top = readDer(der, 0, der.length)
  if (top == null || top.tag != TAG_SEQUENCE) return fail("'pem' is not DER")
  if (pemLabel == "RSA PUBLIC KEY") return rsaFromPkcs1(top)
  if (pemLabel != "PUBLIC KEY") return fail("'pem' must hold a PUBLIC KEY or RSA PUBLIC KEY (got " + pemLabel + ")")
  const parts = top.children()
  if (parts == null || parts.length != 2 || parts[0].tag != TAG_SEQUENCE || parts[1].tag != TAG_BIT_STRING) return fail("'pem' is not a SubjectPublicKeyInfo")
  const algo = parts[0].children()
  if (algo == null || algo.length < 1) return fail("'pem' has a malformed algorithm")
  const bits = parts[1].contents()
  if (bits.length < 1 || bits[0] != 0) return fail("'pem' has a malformed key")
  const keyBytes = bits.subarray(1)
  if (isOid(algo[0], OID_RSA)) {
    const inner = readDer(keyBytes, 0, keyBytes.length)
    if (inner == null || inner.tag != TAG_SEQUENCE) return fail("'pem' has a malformed RSA key")
    return rsaFromPkcs1(inner)
  }
  if (isOid(algo[0], OID_EC)) {
    if (algo.length != 2 || !isOid(algo[1], OID_P256)) return fail("'pem' EC keys must be on P-256")
    if (keyBytes.length != 65 || keyBytes[0] != 4) return fail("'pem' EC key must be an uncompressed point")
    return ecKey(keyBytes.subarray(1, 33), keyBytes.subarray(33))
  }
  return fail("'pem' holds neither an RSA nor an EC key")
}

function rsaFromPkcs1(seq: Der): VerifyKey | null {
  const ints = seq.children()
  if (ints == null || ints.length != 2 || ints[0].tag != TAG_INTEGER || ints[1].tag != TAG_INTEGER) return fail("'pem' has a malformed RSA key")
  return rsaKey(ints[0].contents(), ints[1].contents())
}
