/**
 * @module
 * The proxy-wasm pair codec (spec "Serialization"; cpp-host pairs_util.cc):
 *
 *   u32 N | N × (u32 key_len, u32 value_len) | N × (key, 0x00, value, 0x00)     little-endian
 *
 * Header bytes are mapped to strings as latin1, so every byte a guest writes reaches the wire
 * unchanged (node writes header strings as latin1 too). Decoding is strict about framing and,
 * like cpp-host, a malformed or over-limit input decodes to `undefined` (callers treat it as empty).
 */
import { MAX_PAIRS_BYTES, MAX_PAIRS_COUNT } from './limits.ts'

/** What the codec and the header hostcalls need from a map; filter/header-map.ts HeaderMap fits. */
export interface PairMap {
  readonly size: number
  readonly flat: readonly string[]
  encodedCache: Uint8Array | undefined
  get(name: string): string | undefined
  add(name: string, value: string): void
  set(name: string, value: string): void
  remove(name: string): void
  replaceAll(flat: string[]): void
  byteSize(): number
}

const EMPTY = new Uint8Array(0)
/** Below this length a byte loop beats a call into Buffer's native string codec. */
const SHORT = 48

declare module 'node:buffer' {
  interface Buffer {
    latin1Write(s: string, offset: number, length: number): number
    latin1Slice(start: number, end: number): string
  }
}


/** Encodes `[k0, v0, k1, v1, ...]`. An empty list encodes as 0 bytes (what cpp-host returns). */
export function encodePairs(flat: readonly string[]): Uint8Array {
  const n = flat.length >> 1
  if (n === 0) return EMPTY
  // latin1: one byte per char, so a string's byte length is its length.
  let total = 4 + n * 8
  for (let i = 0; i < flat.length; i++) total += (flat[i] as string).length + 1
  const out = Buffer.allocUnsafe(total)
  out.writeUInt32LE(n, 0)
  let sizeAt = 4
  let at = 4 + n * 8
  for (let i = 0; i < flat.length; i++) {
    const s = flat[i] as string
    const len = s.length
    out.writeUInt32LE(len, sizeAt)
    sizeAt += 4
    if (len > SHORT) out.latin1Write(s, at, len)
    else for (let k = 0; k < len; k++) out[at + k] = s.charCodeAt(k)
    at += len
    out[at++] = 0
  }
  return out
}

/** The map's encoding, reused until the map changes (HeaderMap drops the cache on every change). */
export function encodeMap(map: PairMap): Uint8Array {
  let enc = map.encodedCache
  if (enc === undefined) {
    enc = encodePairs(map.flat)
    map.encodedCache = enc
  }
  return enc
}

/**
 * Decodes a serialized map into a flat `[k, v, ...]` list, or `undefined` when malformed or over
 * the limits. Accepts the three empty forms: 0 bytes, a single 0x00 byte, a 4-byte zero count.
 */
export function decodePairs(bytes: Uint8Array): string[] | undefined {
  const len = bytes.length
  if (len === 0 || (len === 1 && bytes[0] === 0)) return []
  if (len < 4 || len > MAX_PAIRS_BYTES) return undefined
  const dv = new DataView(bytes.buffer, bytes.byteOffset, len)
  const n = dv.getUint32(0, true)
  if (n === 0) return len === 4 ? [] : undefined
  if (n > MAX_PAIRS_COUNT) return undefined
  const headerEnd = 4 + n * 8
  if (headerEnd > len) return undefined
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, len)
  const flat = new Array<string>(n * 2)
  let at = headerEnd
  for (let i = 0; i < n * 2; i++) {
    const size = dv.getUint32(4 + i * 4, true)
    const end = at + size
    if (end >= len || bytes[end] !== 0) return undefined
    flat[i] = buf.latin1Slice(at, end) // the unchecked native slice: fastest measured
    at = end + 1
  }
  return at === len ? flat : undefined
}

/** Envoy's list encoding for property values: each element in the key slot, empty value. */
export function encodeList(items: readonly string[]): Uint8Array {
  const flat: string[] = []
  for (const item of items) flat.push(item, '')
  return encodePairs(flat)
}
