// RSASSA-PKCS1-v1_5 signature verification with SHA-256 (RFC 8017 section 8.2.2), as JWS RS256
// uses it (RFC 7518 section 3.3).
import { Limbs, Montgomery, compare, limbsFromBytes, limbsToBytes } from "./montgomery"

// DER of DigestInfo { sha256, NULL } followed by the 32-byte hash (RFC 8017 section 9.2, note 1).
// @ts-ignore: decorator
@lazy const DIGEST_INFO: StaticArray<u8> = [
  0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
]

export class RsaKey {
  readonly mont: Montgomery
  /** The modulus length in bytes (the signature's length). */
  readonly size: i32

  constructor(public readonly modulus: Limbs, size: i32, public readonly exponent: Uint8Array) {
    this.mont = new Montgomery(modulus)
    this.size = size
  }

  /**
   * From big-endian modulus and exponent bytes; null with `rsaKeyError` set when unusable.
   * Keys under 2048 bits are refused (RFC 7518 section 3.3 requires at least 2048).
   */
  static from(n: Uint8Array, e: Uint8Array): RsaKey | null {
    let start = 0
    while (start < n.length && unchecked(n[start]) == 0) start++
    const size = n.length - start
    if (size < 256 || size > 1024) {
      rsaKeyError = "RSA modulus must be 2048 to 8192 bits"
      return null
    }
    if ((unchecked(n[n.length - 1]) & 1) == 0) {
      rsaKeyError = "RSA modulus must be odd"
      return null
    }
    let eStart = 0
    while (eStart < e.length && unchecked(e[eStart]) == 0) eStart++
    if (e.length - eStart == 0 || e.length - eStart > 8 || (unchecked(e[e.length - 1]) & 1) == 0) {
      rsaKeyError = "RSA exponent must be odd and at most 64 bits"
      return null
    }
    const limbs = limbsFromBytes(n, (size + 3) >> 2)!
    return new RsaKey(limbs, size, e.subarray(eStart))
  }

  /** True when `sig` is a valid signature of the SHA-256 hash at `hash` (32 bytes). */
  verifySha256(hash: usize, sig: Uint8Array): bool {
    if (sig.length != this.size) return false
    const s = limbsFromBytes(sig, this.modulus.length)
    if (s == null || compare(s, this.modulus) >= 0) return false
    const m = this.mont.pow(s, this.exponent)
    // Rebuild the expected encoding EM = 00 01 FF..FF 00 DigestInfo hash and compare it whole.
    const em = new Uint8Array(this.size)
    limbsToBytes(m, em.dataStart, this.size)
    const tail = DIGEST_INFO.length + 32
    const padEnd = this.size - tail - 1
    let bad: u32 = <u32>unchecked(em[0]) | (<u32>unchecked(em[1]) ^ 1) | <u32>unchecked(em[padEnd])
    for (let i = 2; i < padEnd; i++) bad |= <u32>unchecked(em[i]) ^ 0xff
    for (let i = 0; i < DIGEST_INFO.length; i++) bad |= <u32>unchecked(em[padEnd + 1 + i]) ^ <u32>unchecked(DIGEST_INFO[i])
    for (let i = 0; i < 32; i++) bad |= <u32>unchecked(em[padEnd + 1 + DIGEST_INFO.length + i]) ^ <u32>load<u8>(hash + <usize>i)
    return bad == 0
  }
}

export let rsaKeyError: string = ""
