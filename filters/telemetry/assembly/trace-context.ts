// W3C Trace Context (traceparent): `VERSION-TRACEID-PARENTID-FLAGS`, lowercase hex. A valid
// incoming header continues its trace (and its sampling decision); anything else starts one.

export class TraceIds {
  traceHi: u64 = 0
  traceLo: u64 = 0
  /** The caller's span (the parent of ours); 0 when we start the trace. */
  parentId: u64 = 0
  sampled: bool = false
}

function hexDigit(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c >= 0x61 && c <= 0x66) return c - 0x57
  return -1
}

// Cleared by hexAt on a character that is not lowercase hex.
let parseOk = true

/** Reads `digits` hex characters at `at`. */
function hexAt(s: string, at: i32, digits: i32): u64 {
  let v: u64 = 0
  for (let i = 0; i < digits; i++) {
    const d = hexDigit(s.charCodeAt(at + i))
    if (d < 0) {
      parseOk = false
      return 0
    }
    v = (v << 4) | <u64>d
  }
  return v
}

/** Fills `out` from a traceparent header; false when the header is not valid. */
export function parseTraceparent(h: string, out: TraceIds): bool {
  // Version 00 is exactly 55 characters; later versions may append fields after a '-'.
  if (h.length < 55 || h.charCodeAt(2) != 0x2d || h.charCodeAt(35) != 0x2d || h.charCodeAt(52) != 0x2d) return false
  parseOk = true
  const version = hexAt(h, 0, 2)
  if (!parseOk || version == 0xff) return false
  if (version == 0 && h.length != 55) return false
  if (h.length > 55 && h.charCodeAt(55) != 0x2d) return false
  const hi = hexAt(h, 3, 16)
  const lo = hexAt(h, 19, 16)
  const parent = hexAt(h, 36, 16)
  const flags = hexAt(h, 53, 2)
  if (!parseOk || (hi == 0 && lo == 0) || parent == 0) return false
  out.traceHi = hi
  out.traceLo = lo
  out.parentId = parent
  out.sampled = (flags & 1) != 0
  return true
}

/** A random non-zero 64-bit id (Math.random is seeded from the host's random_get). */
export function randomId(): u64 {
  let v: u64 = 0
  while (v == 0) {
    const hi = <u64>(<u32>(Math.random() * 4294967296.0))
    const lo = <u64>(<u32>(Math.random() * 4294967296.0))
    v = (hi << 32) | lo
  }
  return v
}

// Lowercase hex digits as bytes in static memory: a load per digit, no string access.
const HEX: usize = memory.data<u8>([0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66])

function putHex(buf: usize, at: i32, v: u64, digits: i32): void {
  let p = buf + (<usize>(at + digits) << 1)
  for (let i = 0; i < digits; i++) {
    p -= 2
    store<u16>(p, load<u8>(HEX + <usize>(v & 15)))
    v >>= 4
  }
}

/** `v` as `digits` lowercase hex characters. */
export function hexString(v: u64, digits: i32): string {
  const s = changetype<string>(__new(<usize>digits << 1, idof<string>()))
  putHex(changetype<usize>(s), 0, v, digits)
  return s
}

/** The traceparent for the upstream: our trace, our span as its parent. */
export function formatTraceparent(ids: TraceIds, spanId: u64): string {
  const s = changetype<string>(__new(55 << 1, idof<string>()))
  const p = changetype<usize>(s)
  putHex(p, 0, 0, 2)
  store<u16>(p + (2 << 1), 0x2d)
  putHex(p, 3, ids.traceHi, 16)
  putHex(p, 19, ids.traceLo, 16)
  store<u16>(p + (35 << 1), 0x2d)
  putHex(p, 36, spanId, 16)
  store<u16>(p + (52 << 1), 0x2d)
  putHex(p, 53, ids.sampled ? 1 : 0, 2)
  return s
}

/** A random (version 4) UUID, for requests that arrive without an x-request-id. */
export function randomUuid(): string {
  const a = randomId()
  const b = randomId()
  const s = changetype<string>(__new(36 << 1, idof<string>()))
  const p = changetype<usize>(s)
  const hi = (a & 0xffffffffffff0fff) | 0x0000000000004000 // version 4
  const lo = (b & 0x3fffffffffffffff) | 0x8000000000000000 // variant 10
  putHex(p, 0, hi >> 32, 8)
  store<u16>(p + (8 << 1), 0x2d)
  putHex(p, 9, (hi >> 16) & 0xffff, 4)
  store<u16>(p + (13 << 1), 0x2d)
  putHex(p, 14, hi & 0xffff, 4)
  store<u16>(p + (18 << 1), 0x2d)
  putHex(p, 19, lo >> 48, 4)
  store<u16>(p + (23 << 1), 0x2d)
  putHex(p, 24, lo & 0xffffffffffff, 12)
  return s
}
