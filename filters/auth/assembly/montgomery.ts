// Modular arithmetic on fixed-size big integers in Montgomery form (for RSA moduli and the
// P-256 field and group order). Numbers are StaticArray<u32> of `k` limbs, least significant
// first. Everything that depends only on the modulus (-n^-1 mod 2^32, R^2 mod n) is computed
// once when a key is loaded; a multiplication allocates nothing.

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

  /** out = a * b * R^-1 mod n (CIOS). `out` may alias `a` or `b`. */
  mul(a: Limbs, b: Limbs, out: Limbs): void {
    const k = this.k
    const n = this.n
    const t = this.t
    for (let i = 0; i < k + 2; i++) unchecked(t[i] = 0)
    const ninv = this.n0inv
    for (let i = 0; i < k; i++) {
      const bi = <u64>unchecked(b[i])
      let c: u64 = 0
      for (let j = 0; j < k; j++) {
        const s = <u64>unchecked(t[j]) + <u64>unchecked(a[j]) * bi + c
        unchecked(t[j] = <u32>s)
        c = s >>> 32
      }
      let s = <u64>unchecked(t[k]) + c
      unchecked(t[k] = <u32>s)
      unchecked(t[k + 1] = <u32>(s >>> 32))
      const m = <u64>(unchecked(t[0]) * ninv)
      s = <u64>unchecked(t[0]) + m * <u64>unchecked(n[0])
      c = s >>> 32
      for (let j = 1; j < k; j++) {
        s = <u64>unchecked(t[j]) + m * <u64>unchecked(n[j]) + c
        unchecked(t[j - 1] = <u32>s)
        c = s >>> 32
      }
      s = <u64>unchecked(t[k]) + c
      unchecked(t[k - 1] = <u32>s)
      unchecked(t[k] = unchecked(t[k + 1]) + <u32>(s >>> 32))
    }
    // t < 2n: one conditional subtraction.
    let geq = unchecked(t[k]) != 0
    if (!geq) {
      geq = true
      for (let i = k - 1; i >= 0; i--) {
        const ti = unchecked(t[i]), ni = unchecked(n[i])
        if (ti != ni) {
          geq = ti > ni
          break
        }
      }
    }
    if (geq) {
      let borrow: i64 = 0
      for (let i = 0; i < k; i++) {
        const d = <i64>unchecked(t[i]) - <i64>unchecked(n[i]) + borrow
        unchecked(out[i] = <u32>d)
        borrow = d >> 32
      }
    } else {
      for (let i = 0; i < k; i++) unchecked(out[i] = unchecked(t[i]))
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
    for (let i = 0; i < exp.length; i++) {
      const byte = unchecked(exp[i])
      for (let bit = 7; bit >= 0; bit--) {
        this.mul(x, x, x)
        if (((byte >> <u8>bit) & 1) != 0) this.mul(x, b, x)
      }
    }
    return x
  }

  /** a + b mod n (both < n). */
  add(a: Limbs, b: Limbs, out: Limbs): void {
    const k = this.k
    let carry: u64 = 0
    for (let i = 0; i < k; i++) {
      const s = <u64>unchecked(a[i]) + <u64>unchecked(b[i]) + carry
      unchecked(out[i] = <u32>s)
      carry = s >>> 32
    }
    if (carry != 0 || compare(out, this.n) >= 0) subInPlace(out, this.n)
  }

  /** a - b mod n (both < n). */
  sub(a: Limbs, b: Limbs, out: Limbs): void {
    const k = this.k
    let borrow: i64 = 0
    for (let i = 0; i < k; i++) {
      const d = <i64>unchecked(a[i]) - <i64>unchecked(b[i]) + borrow
      unchecked(out[i] = <u32>d)
      borrow = d >> 32
    }
    if (borrow != 0) {
      let carry: u64 = 0
      const n = this.n
      for (let i = 0; i < k; i++) {
        const s = <u64>unchecked(out[i]) + <u64>unchecked(n[i]) + carry
        unchecked(out[i] = <u32>s)
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
  for (let i = a.length - 1; i >= 0; i--) {
    const x = unchecked(a[i]), y = unchecked(b[i])
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
  for (let i = 0; i < a.length; i++) acc |= unchecked(a[i])
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
