// Just enough DER (X.690) to read public keys from PEM: SubjectPublicKeyInfo (RFC 5280) holding
// an RSA key (RFC 8017 A.1.1) or an EC point (RFC 5480), and a bare PKCS#1 RSAPublicKey.
import { decodeBase64 } from "./base64"

/** One TLV: its tag, and where its contents lie in the input. */
export class Der {
  constructor(public bytes: Uint8Array, public tag: i32, public start: i32, public end: i32) {}

  /** The contents as a view (no copy). */
  contents(): Uint8Array {
    return this.bytes.subarray(this.start, this.end)
  }

  /** The children of a constructed value (SEQUENCE); null when any is malformed. */
  children(): Der[] | null {
    const out = new Array<Der>()
    let pos = this.start
    while (pos < this.end) {
      const d = readDer(this.bytes, pos, this.end)
      if (d == null) return null
      out.push(d)
      pos = d.end
    }
    return out
  }
}

/** Reads the TLV at `pos` (which must end by `limit`); null when malformed. */
export function readDer(b: Uint8Array, pos: i32, limit: i32): Der | null {
  if (pos + 2 > limit) return null
  const tag = <i32>unchecked(b[pos])
  let len = <i32>unchecked(b[pos + 1])
  pos += 2
  if (len >= 0x80) {
    const n = len & 0x7f
    if (n == 0 || n > 3 || pos + n > limit) return null
    len = 0
    for (let i = 0; i < n; i++) len = (len << 8) | <i32>unchecked(b[pos + i])
    pos += n
  }
  if (pos + len > limit) return null
  return new Der(b, tag, pos, pos + len)
}

export const TAG_INTEGER = 0x02
export const TAG_BIT_STRING = 0x03
export const TAG_OID = 0x06
export const TAG_SEQUENCE = 0x30

// OIDs as their DER contents.
// @ts-ignore: decorator
@lazy export const OID_RSA: StaticArray<u8> = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01] // 1.2.840.113549.1.1.1
// @ts-ignore: decorator
@lazy export const OID_EC: StaticArray<u8> = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01] // 1.2.840.10045.2.1
// @ts-ignore: decorator
@lazy export const OID_P256: StaticArray<u8> = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07] // 1.2.840.10045.3.1.7

export function isOid(d: Der, oid: StaticArray<u8>): bool {
  if (d.tag != TAG_OID || d.end - d.start != oid.length) return false
  for (let i = 0; i < oid.length; i++) if (unchecked(d.bytes[d.start + i]) != unchecked(oid[i])) return false
  return true
}

/** The PEM's label ("PUBLIC KEY", "RSA PUBLIC KEY"...) after a successful pemBody(). */
export let pemLabel: string = ""

/** The DER bytes inside one PEM block; null when it is not PEM. */
export function pemBody(pem: string): Uint8Array | null {
  const begin = pem.indexOf("-----BEGIN ")
  if (begin < 0) return null
  const labelEnd = pem.indexOf("-----", begin + 11)
  if (labelEnd < 0) return null
  pemLabel = pem.slice(begin + 11, labelEnd)
  const end = pem.indexOf("-----END " + pemLabel + "-----", labelEnd + 5)
  if (end < 0) return null
  // JSON configs often carry the newlines escaped twice ("\\n"): accept those too.
  return decodeBase64(pem.slice(labelEnd + 5, end).replaceAll("\\n", "\n"))
}
