// The proxy-wasm map format (spec "Serialization"):
//
//   u32 count | count x { u32 key_len, u32 value_len } | count x { key, 0x00, value, 0x00 }
//
// encodePairs writes into the SDK scratch buffer (no garbage); decodePairs reads a host buffer.
import { scratch } from "./memory"

/** One header (or trailer, or metadata entry). Names are lowercase on the wire. */
export class HeaderPair {
  constructor(public name: string, public value: string) {}
}

/** Serializes pairs into scratch at `offset`; returns the size. Re-read scratchBase() after. */
export function encodePairs(pairs: HeaderPair[], offset: usize = 0): usize {
  const n = pairs.length
  let size: usize = 4 + <usize>n * 8
  for (let i = 0; i < n; i++) {
    const p = unchecked(pairs[i])
    size += <usize>String.UTF8.byteLength(p.name) + <usize>String.UTF8.byteLength(p.value) + 2
  }
  const base = scratch(offset + size) + offset
  store<u32>(base, n)
  let lens = base + 4
  let data = base + 4 + <usize>n * 8
  for (let i = 0; i < n; i++) {
    const p = unchecked(pairs[i])
    const k = String.UTF8.encodeUnsafe(changetype<usize>(p.name), p.name.length, data)
    store<u8>(data + k, 0)
    data += k + 1
    const v = String.UTF8.encodeUnsafe(changetype<usize>(p.value), p.value.length, data)
    store<u8>(data + v, 0)
    data += v + 1
    store<u32>(lens, <u32>k)
    store<u32>(lens, <u32>v, 4)
    lens += 8
  }
  return size
}

/**
 * Parses a host map buffer into pairs. Accepts the three encodings of an empty map (size 0, a
 * single NUL, a zero count). Returns null when the bytes are not a well-formed map.
 */
export function decodePairs(ptr: usize, size: usize): HeaderPair[] | null {
  const out = new Array<HeaderPair>()
  if (size < 4) return out
  const n = <usize>load<u32>(ptr)
  if (n > (size - 4) / 8) return null
  let lens = ptr + 4
  let data = ptr + 4 + n * 8
  const end = ptr + size
  for (let i: usize = 0; i < n; i++) {
    const k = <usize>load<u32>(lens)
    const v = <usize>load<u32>(lens, 4)
    lens += 8
    if (data + k + v + 2 > end) return null
    const name = String.UTF8.decodeUnsafe(data, k)
    data += k + 1
    const value = String.UTF8.decodeUnsafe(data, v)
    data += v + 1
    out.push(new HeaderPair(name, value))
  }
  return out
}

/** Serializes a property path (segments joined by NUL, none trailing) into scratch. */
export function encodePath(path: string[], offset: usize = 0): usize {
  let size: usize = 0
  for (let i = 0, n = path.length; i < n; i++) size += <usize>String.UTF8.byteLength(unchecked(path[i])) + (i > 0 ? 1 : 0)
  let p = scratch(offset + size) + offset
  for (let i = 0, n = path.length; i < n; i++) {
    if (i > 0) store<u8>(p++, 0)
    const s = unchecked(path[i])
    p += String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, p)
  }
  return size
}

