// Modular arithmetic on fixed-size big integers in Montgomery form (for RSA moduli and the
// P-256 field and group order). Numbers are StaticArray<u32> of `k` limbs, least significant
// first. Everything that depends only on the modulus (-n^-1 mod 2^32, R^2 mod n) is computed
// once when a key is loaded; a multiplication allocates nothing.

import { mul8 } from "./montgomery8"

export type Limbs = StaticArray<u32>

export class Montgomery {
  readonly k: i32
  readonly n: Limbs
  readonly n0inv: u32
  /** R^2 mod n, R = 2^(32k): converts into Montgomery form. */
  readonly r2: Limbs
  /** R mod n: one, in Montgomery form. */
  readonly one: Limbs
  private readonly t: Limbs

  constructor(modulus: Limbs) {
    const k = modulus.length
    this.k = k
    this.n = modulus
    // Newton's iteration for n[0]^-1 mod 2^32 (n is odd), then negate.
    const n0 = unchecked(modulus[0])
    let inv: u32 = n0
    for (let i = 0; i < 5; i++) inv *= 2 - n0 * inv
    this.n0inv = 0 - inv
    this.t = new StaticArray<u32>(k + 2)
    // R mod n and R^2 mod n by doubling 1 with modular reduction (runs once per key).
    const x = new StaticArray<u32>(k)
    unchecked(x[0] = 1)
    for (let i = 0; i < 32 * k; i++) doubleMod(x, modulus)
    this.one = StaticArray.slice<u32>(x)
    for (let i = 0; i < 32 * k; i++) doubleMod(x, modulus)
    this.r2 = x
  }

  /** out = a * b * R^-1 mod n (CIOS). `out` may alias `a` or `b`. The hot loop of RSA and P-256:
   * raw loads and stores on the limb buffers (no bounds checks, no calls). */
  mul(a: Limbs, b: Limbs, out: Limbs): void {
    if (this.k == 8) {
      mul8(changetype<usize>(a), changetype<usize>(b), changetype<usize>(this.n), this.n0inv, changetype<usize>(out))
      return
    }
    const k = <usize>this.k
    const pa = changetype<usize>(a)
    const pb = changetype<usize>(b)
    const pn = changetype<usize>(this.n)
    const t = changetype<usize>(this.t)
    memory.fill(t, 0, (k + 2) << 2)
    const ninv = this.n0inv
    const n0 = <u64>load<u32>(pn)
    for (let i: usize = 0; i < k; i++) {
      const bi = <u64>load<u32>(pb + (i << 2))
      let c: u64 = 0
      for (let j: usize = 0; j < k; j++) {
        const s = <u64>load<u32>(t + (j << 2)) + <u64>load<u32>(pa + (j << 2)) * bi + c
        store<u32>(t + (j << 2), <u32>s)
        c = s >>> 32
      }
      let s = <u64>load<u32>(t + (k << 2)) + c
      store<u32>(t + (k << 2), <u32>s)
      store<u32>(t + ((k + 1) << 2), <u32>(s >>> 32))
      const t0 = load<u32>(t)
      const m = <u64>(t0 * ninv)
      s = <u64>t0 + m * n0
      c = s >>> 32
      for (let j: usize = 1; j < k; j++) {
        s = <u64>load<u32>(t + (j << 2)) + m * <u64>load<u32>(pn + (j << 2)) + c
        store<u32>(t + ((j - 1) << 2), <u32>s)
        c = s >>> 32
      }
      s = <u64>load<u32>(t + (k << 2)) + c
      store<u32>(t + ((k - 1) << 2), <u32>s)
      store<u32>(t + (k << 2), load<u32>(t + ((k + 1) << 2)) + <u32>(s >>> 32))
    }
    // t < 2n: one conditional subtraction.
    const po = changetype<usize>(out)
    let geq = load<u32>(t + (k << 2)) != 0
    if (!geq) {
      geq = true
      for (let i = <isize>k - 1; i >= 0; i--) {
        const ti = load<u32>(t + (<usize>i << 2)), ni = load<u32>(pn + (<usize>i << 2))
        if (ti != ni) {
          geq = ti > ni
          break
        }
      }
    }
    if (geq) {
      let borrow: i64 = 0
      for (let i: usize = 0; i < k; i++) {
        const d = <i64>load<u32>(t + (i << 2)) - <i64>load<u32>(pn + (i << 2)) + borrow
        store<u32>(po + (i << 2), <u32>d)
        borrow = d >> 32
      }
    } else {
      memory.copy(po, t, k << 2)
    }
  }

  /** a (< n) into Montgomery form. */
  toMont(a: Limbs): Limbs {
    const out = new StaticArray<u32>(this.k)
    this.mul(a, this.r2, out)
    return out
  }

  /** Out of Montgomery form. */
  fromMont(a: Limbs): Limbs {
    const one = new StaticArray<u32>(this.k)
    unchecked(one[0] = 1)
    const out = new StaticArray<u32>(this.k)
    this.mul(a, one, out)
    return out
  }

  /** base^exp mod n for a plain (not Montgomery) base < n; exp is big-endian bytes. */
  pow(base: Limbs, exp: Uint8Array): Limbs {
    return this.fromMont(this.powMont(this.toMont(base), exp))
  }

  /** base^exp with base and result in Montgomery form; exp is big-endian bytes. */
  powMont(b: Limbs, exp: Uint8Array): Limbs {
    const x = StaticArray.slice<u32>(this.one)
    let started = false
    for (let i = 0; i < exp.length; i++) {
      const byte = unchecked(exp[i])
      for (let bit = 7; bit >= 0; bit--) {
        // Squaring one is one: skip until the first set bit.
        if (started) this.mul(x, x, x)
        if (((byte >> <u8>bit) & 1) != 0) {
          this.mul(x, b, x)
          started = true
        }
      }
    }
    return x
  }

  /** a + b mod n (both < n). */
  add(a: Limbs, b: Limbs, out: Limbs): void {
    const k = <usize>this.k
    const pa = changetype<usize>(a), pb = changetype<usize>(b), po = changetype<usize>(out)
    let carry: u64 = 0
    for (let i: usize = 0; i < k; i++) {
      const s = <u64>load<u32>(pa + (i << 2)) + <u64>load<u32>(pb + (i << 2)) + carry
      store<u32>(po + (i << 2), <u32>s)
      carry = s >>> 32
    }
    if (carry != 0 || compare(out, this.n) >= 0) subInPlace(out, this.n)
  }

  /** a - b mod n (both < n). */
  sub(a: Limbs, b: Limbs, out: Limbs): void {
    const k = <usize>this.k
    const pa = changetype<usize>(a), pb = changetype<usize>(b), po = changetype<usize>(out)
    let borrow: i64 = 0
    for (let i: usize = 0; i < k; i++) {
      const d = <i64>load<u32>(pa + (i << 2)) - <i64>load<u32>(pb + (i << 2)) + borrow
      store<u32>(po + (i << 2), <u32>d)
      borrow = d >> 32
    }
    if (borrow != 0) {
      let carry: u64 = 0
      const pn = changetype<usize>(this.n)
      for (let i: usize = 0; i < k; i++) {
        const s = <u64>load<u32>(po + (i << 2)) + <u64>load<u32>(pn + (i << 2)) + carry
        store<u32>(po + (i << 2), <u32>s)
        carry = s >>> 32
      }
    }
  }
}

/** x = 2x mod n, for x < n. */
function doubleMod(x: Limbs, n: Limbs): void {
  let carry: u32 = 0
  for (let i = 0; i < x.length; i++) {
    const v = unchecked(x[i])
    unchecked(x[i] = (v << 1) | carry)
    carry = v >>> 31
  }
  if (carry != 0 || compare(x, n) >= 0) subInPlace(x, n)
}

/** -1, 0, 1 as a <, ==, > b (same length). */
export function compare(a: Limbs, b: Limbs): i32 {
  const pa = changetype<usize>(a), pb = changetype<usize>(b)
  for (let i = a.length - 1; i >= 0; i--) {
    const x = load<u32>(pa + (<usize>i << 2)), y = load<u32>(pb + (<usize>i << 2))
    if (x != y) return x > y ? 1 : -1
  }
  return 0
}

/** a -= b (a >= b, or wraps mod 2^(32k)). */
export function subInPlace(a: Limbs, b: Limbs): void {
  let borrow: i64 = 0
  for (let i = 0; i < a.length; i++) {
    const d = <i64>unchecked(a[i]) - <i64>unchecked(b[i]) + borrow
    unchecked(a[i] = <u32>d)
    borrow = d >> 32
  }
}

export function isZero(a: Limbs): bool {
  let acc: u32 = 0
  const pa = changetype<usize>(a)
  for (let i = 0, n = a.length; i < n; i++) acc |= load<u32>(pa + (<usize>i << 2))
  return acc == 0
}

/** Big-endian bytes into `k` limbs; null when the value does not fit. Leading zeros are fine. */
export function limbsFromBytes(bytes: Uint8Array, k: i32): Limbs | null {
  let start = 0
  while (start < bytes.length && unchecked(bytes[start]) == 0) start++
  if (bytes.length - start > k * 4) return null
  const out = new StaticArray<u32>(k)
  for (let i = bytes.length - 1, shift = 0, limb = 0; i >= start; i--) {
    unchecked(out[limb] |= <u32>unchecked(bytes[i]) << shift)
    shift += 8
    if (shift == 32) {
      shift = 0
      limb++
    }
  }
  return out
}

/** `k` limbs into `len` big-endian bytes at `out`. */
export function limbsToBytes(a: Limbs, out: usize, len: i32): void {
  for (let i = 0; i < len; i++) {
    const byteIndex = len - 1 - i
    const limb = byteIndex >> 2
    const v: u32 = limb < a.length ? unchecked(a[limb]) : 0
    store<u8>(out + <usize>i, <u8>(v >>> (<u32>(byteIndex & 3) << 3)))
  }
}
