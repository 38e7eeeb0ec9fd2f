// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104) over raw bytes. The state, the message
// schedule and the round constants live in static memory, so hashing allocates nothing.

// Round constants as raw static memory: read with load<u32>, since a StaticArray read is a call at
// the release build's shrink level, 64 of them per block.
const K: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])

const W: usize = memory.data(256)

/** An incremental SHA-256. Reuse one instance with reset(); digest() writes 32 bytes. */
export class Sha256 {
  state: StaticArray<u32> = new StaticArray<u32>(8)
  block: StaticArray<u8> = new StaticArray<u8>(64)
  blockLen: i32 = 0
  totalLen: u64 = 0

  constructor() {
    this.reset()
  }

  reset(): Sha256 {
    const s = this.state
    unchecked(s[0] = 0x6a09e667); unchecked(s[1] = 0xbb67ae85); unchecked(s[2] = 0x3c6ef372); unchecked(s[3] = 0xa54ff53a)
    unchecked(s[4] = 0x510e527f); unchecked(s[5] = 0x9b05688c); unchecked(s[6] = 0x1f83d9ab); unchecked(s[7] = 0x5be0cd19)
    this.blockLen = 0
    this.totalLen = 0
    return this
  }

  /** Copies the running state of `other` (HMAC reuses precomputed pad states). */
  copyFrom(other: Sha256): Sha256 {
    memory.copy(changetype<usize>(this.state), changetype<usize>(other.state), 32)
    memory.copy(changetype<usize>(this.block), changetype<usize>(other.block), 64)
    this.blockLen = other.blockLen
    this.totalLen = other.totalLen
    return this
  }

  update(ptr: usize, len: usize): Sha256 {
    this.totalLen += <u64>len
    const block = changetype<usize>(this.block)
    while (len > 0) {
      if (this.blockLen == 0 && len >= 64) {
        compress(this.state, ptr)
        ptr += 64
        len -= 64
        continue
      }
      const n = min(<usize>(64 - this.blockLen), len)
      memory.copy(block + <usize>this.blockLen, ptr, n)
      this.blockLen += <i32>n
      ptr += n
      len -= n
      if (this.blockLen == 64) {
        compress(this.state, block)
        this.blockLen = 0
      }
    }
    return this
  }

  updateBytes(bytes: Uint8Array): Sha256 {
    return this.update(bytes.dataStart, <usize>bytes.length)
  }

  /** Finishes the hash into `out` (32 bytes). The instance must be reset() before reuse. */
  digestInto(out: usize): void {
    const block = changetype<usize>(this.block)
    const bits = this.totalLen << 3
    store<u8>(block + <usize>this.blockLen, 0x80)
    this.blockLen++
    if (this.blockLen > 56) {
      memory.fill(block + <usize>this.blockLen, 0, <usize>(64 - this.blockLen))
      compress(this.state, block)
      this.blockLen = 0
    }
    memory.fill(block + <usize>this.blockLen, 0, <usize>(56 - this.blockLen))
    store<u64>(block + 56, bswap<u64>(bits))
    compress(this.state, block)
    for (let i = 0; i < 8; i++) store<u32>(out + (<usize>i << 2), bswap<u32>(unchecked(this.state[i])))
  }

  digest(): Uint8Array {
    const out = new Uint8Array(32)
    this.digestInto(out.dataStart)
    return out
  }
}

function compress(stateArray: StaticArray<u32>, p: usize): void {
  const state = changetype<usize>(stateArray)
  for (let i: usize = 0; i < 16; i++) store<u32>(W + (i << 2), bswap<u32>(load<u32>(p + (i << 2))))
  for (let i: usize = 16; i < 64; i++) {
    const w15 = load<u32>(W + ((i - 15) << 2))
    const w2 = load<u32>(W + ((i - 2) << 2))
    const s0 = rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3)
    const s1 = rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10)
    store<u32>(W + (i << 2), load<u32>(W + ((i - 16) << 2)) + s0 + load<u32>(W + ((i - 7) << 2)) + s1)
  }
  let a = load<u32>(state, 0), b = load<u32>(state, 4), c = load<u32>(state, 8), d = load<u32>(state, 12)
  let e = load<u32>(state, 16), f = load<u32>(state, 20), g = load<u32>(state, 24), h = load<u32>(state, 28)
  for (let i = 0; i < 64; i++) {
    const t1 = h + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + ((e & f) ^ (~e & g)) + load<u32>(K + (<usize>i << 2)) + load<u32>(W + (<usize>i << 2))
    const t2 = (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))
    h = g; g = f; f = e; e = d + t1
    d = c; c = b; b = a; a = t1 + t2
  }
  store<u32>(state, load<u32>(state, 0) + a, 0); store<u32>(state, load<u32>(state, 4) + b, 4)
  store<u32>(state, load<u32>(state, 8) + c, 8); store<u32>(state, load<u32>(state, 12) + d, 12)
  store<u32>(state, load<u32>(state, 16) + e, 16); store<u32>(state, load<u32>(state, 20) + f, 20)
  store<u32>(state, load<u32>(state, 24) + g, 24); store<u32>(state, load<u32>(state, 28) + h, 28)
}

/** An HMAC-SHA256 key with its inner and outer pad states hashed once, at configuration time. */
export class HmacKey {
  inner: Sha256 = new Sha256()
  outer: Sha256 = new Sha256()

  constructor(key: Uint8Array) {
    const pad = new Uint8Array(64)
    if (key.length > 64) new Sha256().updateBytes(key).digestInto(pad.dataStart)
    else memory.copy(pad.dataStart, key.dataStart, <usize>key.length)
    for (let i = 0; i < 64; i++) unchecked(pad[i] ^= 0x36)
    this.inner.updateBytes(pad)
    for (let i = 0; i < 64; i++) unchecked(pad[i] ^= 0x36 ^ 0x5c)
    this.outer.updateBytes(pad)
  }
}

// One working hash per purpose, reused for every request.
const work = new Sha256()
const MAC: usize = memory.data(32)

/** HMAC-SHA256 of (ptr, len) with `key`, written to `out` (32 bytes). */
export function hmacSha256(key: HmacKey, ptr: usize, len: usize, out: usize): void {
  work.copyFrom(key.inner).update(ptr, len).digestInto(MAC)
  work.copyFrom(key.outer).update(MAC, 32).digestInto(out)
}

/** SHA-256 of (ptr, len), written to `out` (32 bytes). */
export function sha256(ptr: usize, len: usize, out: usize): void {
  work.reset().update(ptr, len).digestInto(out)
}

/** Compares two byte ranges in time independent of where they differ. */
export function bytesEqual(a: usize, b: usize, len: usize): bool {
  let diff: u32 = 0
  for (let i: usize = 0; i < len; i++) diff |= <u32>(load<u8>(a + i) ^ load<u8>(b + i))
  return diff == 0
}
