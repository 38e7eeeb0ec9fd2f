// Token buckets in shared data, updated with compare-and-swap so every worker/VM sharing the
// store sees one bucket per key.
//
// Each bucket is kept in its "virtual scheduling" form (GCRA): instead of a token count and a
// refill time it stores one timestamp, the theoretical arrival time `tat`. A request at `now`
// moves it to max(tat, now) + interval; it is admitted when that stays within `tolerance`
// (burst x interval) of now. This is exactly a bucket of `burst` tokens refilled at
// requests/period, but one u64 per limit and integer arithmetic only (no drift, no floats).
//
// All limits of a rule live in one shared-data value (n x u64 little-endian), so a request is
// checked against all of them and charged to all of them in a single CAS: a request one limit
// refuses costs nothing in the others.
import { proxy_get_shared_data, proxy_set_shared_data } from "wasmgate/sdk/assembly/abi/imports"
import { Status } from "wasmgate/sdk/assembly"
import { ByteWriter } from "./byte-writer"
import { Limit, Rule } from "./rule"

const OUT_PTR: usize = memory.data(16, 8)
const OUT_SIZE: usize = OUT_PTR + 4
const OUT_CAS: usize = OUT_PTR + 8
/** Stored tats, then the new ones (8 limits at most, see config.ts). */
const STATE: usize = memory.data(8 * 8, 8)
const NEXT: usize = memory.data(8 * 8, 8)
/** Another VM wins a CAS only by completing its update, so this bounds only pathological churn. */
const MAX_CAS_ATTEMPTS = 64

const key = new ByteWriter()

/** What one request learnt from its rules; `note` keeps the most restrictive figures for headers. */
export class Outcome {
  allowed: bool = true
  failed: bool = false
  /** The refusing rule (when !allowed). */
  rule: Rule | null = null
  waitNs: u64 = 0
  /** For the ratelimit-* headers: the limit with the fewest tokens left. */
  has: bool = false
  limit: u32 = 0
  remaining: u64 = 0
  resetNs: u64 = 0
  policy: ArrayBuffer | null = null

  reset(): void {
    this.allowed = true
    this.failed = false
    this.rule = null
    this.waitNs = 0
    this.has = false
    this.policy = null
  }

  note(rule: Rule, limit: Limit, remaining: u64, resetNs: u64): void {
    if (this.has && (remaining > this.remaining || (remaining == this.remaining && resetNs <= this.resetNs))) return
    this.has = true
    this.limit = limit.burst
    this.remaining = remaining
    this.resetNs = resetNs
    this.policy = rule.policy
  }
}

function buildKey(rule: Rule, hash: u64): void {
  key.reset().bytes(rule.keyPrefix).hex64(hash)
}

/** Reads the rule's bucket into STATE; returns the cas, or -1 when the store failed. */
function read(n: i32): i64 {
  const status = proxy_get_shared_data(key.ptr, key.len, OUT_PTR, OUT_SIZE, OUT_CAS)
  const size = <usize>n << 3
  if (status == Status.NotFound) {
    memory.fill(STATE, 0, size)
    return 0
  }
  if (status != Status.Ok) return -1
  const ptr = <usize>load<u32>(OUT_PTR)
  // Another size means no bucket yet (an empty value is how a key is "deleted").
  if (<usize>load<u32>(OUT_SIZE) == size) memory.copy(STATE, ptr, size)
  else memory.fill(STATE, 0, size)
  if (ptr != 0) heap.free(ptr)
  return <i64>load<u32>(OUT_CAS)
}

/**
 * Charges one request to the rule's bucket for `hash`, or refuses it. Updates `out`: allowed,
 * wait, header figures; `failed` when the store did not answer as the ABI says it must.
 */
export function take(rule: Rule, hash: u64, nowNs: u64, out: Outcome): bool {
  buildKey(rule, hash)
  const limits = rule.limits
  const n = limits.length
  for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
    const cas = read(n)
    if (cas < 0) break
    let refused = -1
    let waitNs: u64 = 0
    for (let i = 0; i < n; i++) {
      const l = unchecked(limits[i])
      // A stored tat never runs more than tolerance ahead of the clock, unless the wall clock
      // stepped back: then treat the bucket as empty rather than blocked for the whole step.
      const tat = min(max(load<u64>(STATE + (<usize>i << 3)), nowNs), nowNs + l.toleranceNs)
      store<u64>(STATE + (<usize>i << 3), tat)
      const next = tat + l.intervalNs
      // Admitted when next - tolerance <= now, written without unsigned underflow.
      if (next > nowNs + l.toleranceNs) {
        const w = next - l.toleranceNs - nowNs
        if (refused < 0 || w > waitNs) {
          refused = i
          waitNs = w
        }
      }
      store<u64>(NEXT + (<usize>i << 3), next)
    }
    if (refused >= 0) {
      const l = unchecked(limits[refused])
      const tat = load<u64>(STATE + (<usize>refused << 3))
      out.allowed = false
      out.rule = rule
      out.waitNs = waitNs
      out.has = false
      out.note(rule, l, 0, tat - nowNs)
      return false
    }
    const status = proxy_set_shared_data(key.ptr, key.len, NEXT, <usize>n << 3, <u32>cas)
    if (status == Status.CasMismatch) continue
    if (status != Status.Ok) break
    for (let i = 0; i < n; i++) {
      const l = unchecked(limits[i])
      const next = load<u64>(NEXT + (<usize>i << 3))
      out.note(rule, l, (nowNs + l.toleranceNs - next) / l.intervalNs, next - nowNs)
    }
    return true
  }
  out.failed = true
  return true
}

/** Gives back the token `take` charged, when a later rule refused the request. */
export function refund(rule: Rule, hash: u64): void {
  buildKey(rule, hash)
  const limits = rule.limits
  const n = limits.length
  for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
    const cas = read(n)
    if (cas <= 0) return
    for (let i = 0; i < n; i++) {
      const at = STATE + (<usize>i << 3)
      const tat = load<u64>(at)
      const interval = unchecked(limits[i]).intervalNs
      store<u64>(at, tat > interval ? tat - interval : 0)
    }
    if (proxy_set_shared_data(key.ptr, key.len, STATE, <usize>n << 3, <u32>cas) != Status.CasMismatch) return
  }
}
