// ECDSA verification on P-256 with SHA-256 (FIPS 186-4 section 6.4.2; JWS ES256, RFC 7518
// section 3.4). Field and scalar arithmetic use Montgomery; points are Jacobian with a = -3.
// Verification handles public data only, so it need not run in constant time.
import { fromHex } from "./base64"
import { Limbs, Montgomery, compare, isZero, limbsFromBytes, subInPlace } from "./montgomery"

function hexLimbs(hex: string): Limbs {
  return limbsFromBytes(fromHex(hex)!, 8)!
}

const P = hexLimbs("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff")
const N = hexLimbs("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")
const FP = new Montgomery(P)
const FN = new Montgomery(N)
const B_M = FP.toMont(hexLimbs("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b"))
const GX_M = FP.toMont(hexLimbs("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"))
const GY_M = FP.toMont(hexLimbs("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"))
const N_MINUS_2 = fromHex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc63254f")!

/** A point in Jacobian coordinates, Montgomery form; Z = 0 is the point at infinity. */
class Jac {
  x: Limbs = new StaticArray<u32>(8)
  y: Limbs = new StaticArray<u32>(8)
  z: Limbs = new StaticArray<u32>(8)

  setAffine(x: Limbs, y: Limbs): Jac {
    copy(this.x, x)
    copy(this.y, y)
    copy(this.z, FP.one)
    return this
  }

  set(o: Jac): Jac {
    copy(this.x, o.x)
    copy(this.y, o.y)
    copy(this.z, o.z)
    return this
  }

  get isInfinity(): bool { return isZero(this.z) }
}

function copy(dst: Limbs, src: Limbs): void {
  memory.copy(changetype<usize>(dst), changetype<usize>(src), 32)
}

// Temporaries for the point formulas, allocated once.
const t0 = new StaticArray<u32>(8), t1 = new StaticArray<u32>(8), t2 = new StaticArray<u32>(8), t3 = new StaticArray<u32>(8)
const t4 = new StaticArray<u32>(8), t5 = new StaticArray<u32>(8), t6 = new StaticArray<u32>(8), t7 = new StaticArray<u32>(8)

/** p = 2p ("dbl-2001-b", a = -3). */
function double(p: Jac): void {
  if (p.isInfinity) return
  FP.mul(p.z, p.z, t0) // delta
  FP.mul(p.y, p.y, t1) // gamma
  FP.mul(p.x, t1, t2) // beta
  FP.sub(p.x, t0, t3)
  FP.add(p.x, t0, t4)
  FP.mul(t3, t4, t3)
  FP.add(t3, t3, t4)
  FP.add(t4, t3, t3) // alpha = 3(x - delta)(x + delta)
  FP.add(p.y, p.z, t4)
  FP.mul(t4, t4, t4)
  FP.sub(t4, t1, t4)
  FP.sub(t4, t0, p.z) // z3 = (y + z)^2 - gamma - delta
  FP.add(t2, t2, t2)
  FP.add(t2, t2, t2) // 4 beta
  FP.mul(t3, t3, t5)
  FP.sub(t5, t2, t5)
  FP.sub(t5, t2, p.x) // x3 = alpha^2 - 8 beta
  FP.sub(t2, p.x, t2)
  FP.mul(t3, t2, t2)
  FP.mul(t1, t1, t1)
  FP.add(t1, t1, t1)
  FP.add(t1, t1, t1)
  FP.add(t1, t1, t1) // 8 gamma^2
  FP.sub(t2, t1, p.y)
}

/** p = p + q ("add-2007-bl"). */
function add(p: Jac, q: Jac): void {
  if (q.isInfinity) return
  if (p.isInfinity) {
    p.set(q)
    return
  }
  FP.mul(p.z, p.z, t0) // z1z1
  FP.mul(q.z, q.z, t1) // z2z2
  FP.mul(p.x, t1, t2) // u1
  FP.mul(q.x, t0, t3) // u2
  FP.mul(p.y, q.z, t4)
  FP.mul(t4, t1, t4) // s1
  FP.mul(q.y, p.z, t5)
  FP.mul(t5, t0, t5) // s2
  FP.sub(t3, t2, t3) // h
  FP.sub(t5, t4, t5)
  FP.add(t5, t5, t5) // r
  if (isZero(t3)) {
    if (isZero(t5)) double(p)
    else memory.fill(changetype<usize>(p.z), 0, 32)
    return
  }
  FP.add(p.z, q.z, t6)
  FP.mul(t6, t6, t6)
  FP.sub(t6, t0, t6)
  FP.sub(t6, t1, t6)
  FP.mul(t6, t3, p.z) // z3 = ((z1 + z2)^2 - z1z1 - z2z2) h
  FP.add(t3, t3, t0)
  FP.mul(t0, t0, t0) // i = (2h)^2
  FP.mul(t3, t0, t1) // j = h i
  FP.mul(t2, t0, t2) // v = u1 i
  FP.mul(t5, t5, t6)
  FP.sub(t6, t1, t6)
  FP.sub(t6, t2, t6)
  FP.sub(t6, t2, p.x) // x3 = r^2 - j - 2v
  FP.sub(t2, p.x, t7)
  FP.mul(t5, t7, t7)
  FP.mul(t4, t1, t4)
  FP.add(t4, t4, t4)
  FP.sub(t7, t4, p.y) // y3 = r (v - x3) - 2 s1 j
}

const G = new Jac()
const R = new Jac()
const GQ = new Jac()
const MODMUL = new StaticArray<u32>(8)

/** a * b mod n (plain form in, plain form out). */
function scalarMul(a: Limbs, b: Limbs): Limbs {
  FN.mul(a, FN.r2, MODMUL)
  const out = new StaticArray<u32>(8)
  FN.mul(MODMUL, b, out)
  return out
}

function bit(a: Limbs, i: i32): u32 {
  return (unchecked(a[i >> 5]) >>> <u32>(i & 31)) & 1
}

export class EcKey {
  readonly q: Jac

  constructor(x: Limbs, y: Limbs) {
    this.q = new Jac().setAffine(x, y)
  }

  /** The public point (x, y), 32 bytes each; null when not on the curve. */
  static from(xb: Uint8Array, yb: Uint8Array): EcKey | null {
    if (xb.length != 32 || yb.length != 32) return null
    const x = limbsFromBytes(xb, 8)!
    const y = limbsFromBytes(yb, 8)!
    if (compare(x, P) >= 0 || compare(y, P) >= 0) return null
    const xm = FP.toMont(x)
    const ym = FP.toMont(y)
    // y^2 == x^3 - 3x + b
    const lhs = new StaticArray<u32>(8)
    FP.mul(ym, ym, lhs)
    const rhs = new StaticArray<u32>(8)
    FP.mul(xm, xm, rhs)
    FP.mul(rhs, xm, rhs)
    FP.sub(rhs, xm, rhs)
    FP.sub(rhs, xm, rhs)
    FP.sub(rhs, xm, rhs)
    FP.add(rhs, B_M, rhs)
    if (compare(lhs, rhs) != 0) return null
    return new EcKey(xm, ym)
  }

  /** True when `sig` (r || s, 64 bytes, as JWS encodes it) signs the hash at `hash`. */
  verifySha256(hash: usize, sig: Uint8Array): bool {
    if (sig.length != 64) return false
    const r = limbsFromBytes(sig.subarray(0, 32), 8)!
    const s = limbsFromBytes(sig.subarray(32), 8)!
    if (isZero(r) || isZero(s) || compare(r, N) >= 0 || compare(s, N) >= 0) return false
    const hb = new Uint8Array(32)
    memory.copy(hb.dataStart, hash, 32)
    const e = limbsFromBytes(hb, 8)!
    if (compare(e, N) >= 0) subInPlace(e, N)
    const w = FN.pow(s, N_MINUS_2)
    const u1 = scalarMul(e, w)
    const u2 = scalarMul(r, w)
    // u1 G + u2 Q in one pass over the bits (Shamir's trick).
    G.setAffine(GX_M, GY_M)
    GQ.set(G)
    add(GQ, this.q)
    memory.fill(changetype<usize>(R.z), 0, 32)
    for (let i = 255; i >= 0; i--) {
      double(R)
      const b1 = bit(u1, i), b2 = bit(u2, i)
      if (b1 != 0 && b2 != 0) add(R, GQ)
      else if (b1 != 0) add(R, G)
      else if (b2 != 0) add(R, this.q)
    }
    if (R.isInfinity) return false
    // x = X / Z^2 must be r or r + n (x < p, and p > n). Compare X with r Z^2 instead of
    // inverting Z (an inversion costs ~380 multiplications).
    const z2 = new StaticArray<u32>(8)
    FP.mul(R.z, R.z, z2)
    const rz2 = FP.toMont(r)
    FP.mul(rz2, z2, rz2)
    if (compare(rz2, R.x) == 0) return true
    const rn = StaticArray.slice<u32>(r)
    let carry: u64 = 0
    for (let i = 0; i < 8; i++) {
      const v = <u64>unchecked(rn[i]) + <u64>unchecked(N[i]) + carry
      unchecked(rn[i] = <u32>v)
      carry = v >>> 32
    }
    if (carry != 0 || compare(rn, P) >= 0) return false
    const rnz2 = FP.toMont(rn)
    FP.mul(rnz2, z2, rnz2)
    return compare(rnz2, R.x) == 0
  }
}
