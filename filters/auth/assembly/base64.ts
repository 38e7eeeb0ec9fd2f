// Base64 decoding: the URL-safe alphabet without padding for JWTs and JWKs (RFC 7515 section 2),
// and the standard alphabet with padding and line breaks for PEM. Returns null on any invalid
// character, so a malformed token is rejected rather than half-decoded.

// 0-63: value; 64: skipped (whitespace, PEM only); 255: invalid. Built once.
const URL_TABLE = new StaticArray<u8>(128)
const STD_TABLE = new StaticArray<u8>(128)

function buildTables(): void {
  for (let i = 0; i < 128; i++) {
    unchecked(URL_TABLE[i] = 255)
    unchecked(STD_TABLE[i] = 255)
  }
  for (let i = 0; i < 26; i++) {
    unchecked(URL_TABLE[0x41 + i] = <u8>i); unchecked(URL_TABLE[0x61 + i] = <u8>(26 + i))
    unchecked(STD_TABLE[0x41 + i] = <u8>i); unchecked(STD_TABLE[0x61 + i] = <u8>(26 + i))
  }
  for (let i = 0; i < 10; i++) {
    unchecked(URL_TABLE[0x30 + i] = <u8>(52 + i))
    unchecked(STD_TABLE[0x30 + i] = <u8>(52 + i))
  }
  unchecked(URL_TABLE[0x2d] = 62); unchecked(URL_TABLE[0x5f] = 63) // - _
  unchecked(STD_TABLE[0x2b] = 62); unchecked(STD_TABLE[0x2f] = 63) // + /
  unchecked(STD_TABLE[0x0a] = 64); unchecked(STD_TABLE[0x0d] = 64); unchecked(STD_TABLE[0x20] = 64); unchecked(STD_TABLE[0x09] = 64)
}
buildTables()

function decodeWith(table: StaticArray<u8>, s: string, start: i32, end: i32, allowPadding: bool): Uint8Array | null {
  // Trailing '=' only where padding is allowed.
  if (allowPadding) while (end > start && (s.charCodeAt(end - 1) == 0x3d || unchecked(table[s.charCodeAt(end - 1) & 0x7f]) == 64)) end--
  const out = new Uint8Array(((end - start) * 3) >> 2)
  let acc: u32 = 0
  let bits: u32 = 0
  let n = 0
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c >= 128) return null
    const v = unchecked(table[c])
    if (v == 255) return null
    if (v == 64) continue
    acc = (acc << 6) | v
    bits += 6
    if (bits >= 8) {
      bits -= 8
      if (n >= out.length) return null
      unchecked(out[n++] = <u8>(acc >> bits))
    }
  }
  // Leftover bits must be zero padding of fewer than 8 bits (a lone 6-bit group is invalid).
  if (bits >= 6 || (acc & ((1 << bits) - 1)) != 0) return null
  return n == out.length ? out : out.subarray(0, n)
}

/** Decodes base64url (no padding) from s[start, end); null when invalid. */
export function decodeBase64Url(s: string, start: i32 = 0, end: i32 = -1): Uint8Array | null {
  return decodeWith(URL_TABLE, s, start, end < 0 ? s.length : end, false)
}

/** Decodes standard base64 (padding and whitespace allowed); null when invalid. */
export function decodeBase64(s: string): Uint8Array | null {
  return decodeWith(STD_TABLE, s, 0, s.length, true)
}

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  const digits = "0123456789abcdef"
  let out = ""
  for (let i = 0; i < bytes.length; i++) {
    const b = unchecked(bytes[i])
    out += digits.charAt(b >> 4) + digits.charAt(b & 15)
  }
  return out
}

/** Parses hex (either case) into bytes; null when not hex or of odd length. */
export function fromHex(s: string): Uint8Array | null {
  if ((s.length & 1) != 0) return null
  const out = new Uint8Array(s.length >> 1)
  for (let i = 0; i < out.length; i++) {
    const hi = hexDigit(s.charCodeAt(2 * i))
    const lo = hexDigit(s.charCodeAt(2 * i + 1))
    if (hi < 0 || lo < 0) return null
    unchecked(out[i] = <u8>((hi << 4) | lo))
  }
  return out
}

function hexDigit(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  const l = c | 0x20
  if (l >= 0x61 && l <= 0x66) return l - 0x57
  return -1
}
