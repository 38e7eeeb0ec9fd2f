import { describe, expect, it } from 'vitest'
import { decodePairs, encodeMap, encodePairs, encodeList } from '../../../host/abi/pairs.ts'
import { MAX_PAIRS_COUNT } from '../../../host/abi/limits.ts'
import { HeaderMap } from '../../../host/filter/header-map.ts'

/** The Rust SDK's own test vector (hostcalls.rs SERIALIZED_MAP), rebuilt from its parts. */
function rustVector(): { flat: string[]; bytes: Uint8Array } {
  const flat = [':method', 'GET', ':path', '/bytes/1', ':authority', 'httpbin.org', 'Powered-By', 'proxy-wasm']
  const parts: number[] = [4, 0, 0, 0]
  for (const s of flat) parts.push(s.length, 0, 0, 0)
  for (const s of flat) parts.push(...Buffer.from(s), 0)
  return { flat, bytes: Uint8Array.from(parts) }
}

/** A deterministic PRNG so a failing fuzz case can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 0x1_0000_0000
  }
}

describe('pair codec', () => {
  it('encodes the Rust SDK test vector byte for byte, and decodes it back', () => {
    const { flat, bytes } = rustVector()
    expect(Buffer.from(encodePairs(flat)).equals(Buffer.from(bytes))).toBe(true)
    expect(decodePairs(bytes)).toEqual(flat)
  })

  it('encodes an empty map as 0 bytes and accepts all three empty forms', () => {
    expect(encodePairs([]).length).toBe(0)
    expect(decodePairs(new Uint8Array(0))).toEqual([])
    expect(decodePairs(Uint8Array.of(0))).toEqual([])
    expect(decodePairs(Uint8Array.of(0, 0, 0, 0))).toEqual([])
  })

  it('keeps every byte of a value (latin1 both ways), including non-ASCII and empty values', () => {
    const flat = ['x-bin', '\u00e9\u00ff\u0001', 'x-empty', '']
    expect(decodePairs(encodePairs(flat))).toEqual(flat)
  })

  it('refuses framing errors: missing NUL, trailing bytes, overrun, zero count with payload, over-limit count', () => {
    const { bytes } = rustVector()
    const noNul = bytes.slice()
    noNul[noNul.length - 1] = 0x41
    expect(decodePairs(noNul)).toBeUndefined()
    expect(decodePairs(Uint8Array.from([...bytes, 0]))).toBeUndefined()
    expect(decodePairs(bytes.subarray(0, bytes.length - 3))).toBeUndefined()
    expect(decodePairs(Uint8Array.of(0, 0, 0, 0, 1))).toBeUndefined()
    const big = new Uint8Array(8)
    new DataView(big.buffer).setUint32(0, MAX_PAIRS_COUNT + 1, true)
    expect(decodePairs(big)).toBeUndefined()
    expect(decodePairs(Uint8Array.of(1, 0))).toBeUndefined()
  })

  it('caches the encoding in the HeaderMap until the map changes', () => {
    const map = HeaderMap.fromPairs([[':status', '200'], ['a', 'b']])
    const first = encodeMap(map)
    expect(encodeMap(map)).toBe(first)
    map.add('c', 'd')
    const second = encodeMap(map)
    expect(second).not.toBe(first)
    expect(decodePairs(second)).toEqual([':status', '200', 'a', 'b', 'c', 'd'])
  })

  it('encodes a list with each element in the key slot and an empty value', () => {
    expect(decodePairs(encodeList(['a', 'bc']))).toEqual(['a', '', 'bc', ''])
  })

  it('fuzz: random bytes never throw and decode to undefined or an even-length list', () => {
    const rnd = prng(0xc0ffee)
    for (let i = 0; i < 20_000; i++) {
      const len = Math.floor(rnd() * 64)
      const bytes = new Uint8Array(len)
      for (let j = 0; j < len; j++) bytes[j] = rnd() < 0.3 ? 0 : Math.floor(rnd() * 256)
      // Small counts make framing-valid inputs likely enough to exercise the success path too.
      if (len >= 4 && rnd() < 0.5) bytes.set([Math.floor(rnd() * 4), 0, 0, 0], 0)
      const out = decodePairs(bytes)
      if (out !== undefined) {
        expect(out.length % 2).toBe(0)
        expect(Buffer.from(encodePairs(out)).equals(Buffer.from(bytes)) || out.length === 0).toBe(true)
      }
    }
  })

  it('fuzz: random maps round-trip, and single-byte mutations of an encoding never throw', () => {
    const rnd = prng(42)
    const str = () => {
      let s = ''
      const n = Math.floor(rnd() * 12)
      for (let k = 0; k < n; k++) s += String.fromCharCode(1 + Math.floor(rnd() * 254))
      return s
    }
    for (let i = 0; i < 2_000; i++) {
      const flat: string[] = []
      const n = Math.floor(rnd() * 8)
      for (let k = 0; k < n * 2; k++) flat.push(str())
      const enc = encodePairs(flat)
      expect(decodePairs(enc)).toEqual(flat)
      if (enc.length > 0) {
        const m = enc.slice()
        m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256)
        const out = decodePairs(m)
        expect(out === undefined || Array.isArray(out)).toBe(true)
      }
    }
  })
})
