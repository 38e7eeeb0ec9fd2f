/**
 * @module
 * Steps over one Wasm instruction and its immediates without interpreting it. The rewriter needs
 * exact instruction boundaries (a 0x03 byte inside an immediate is not a `loop`), so every opcode
 * the supported proposals define is listed, and anything else is refused with its offset:
 * MVP, sign extension, saturating truncation, bulk memory, reference types, typed function
 * references, multi-value, SIMD (+ relaxed), threads, tail calls, multi-memory, memory64, and
 * exception handling (legacy try/catch/delegate and try_table/throw_ref). GC (0xFB) is not
 * supported: no proxy-wasm toolchain emits it.
 */
import type { WasmBinaryReader } from './wasm-binary-reader.ts'

export const OP_LOOP = 0x03
export const OP_RETURN_CALL = 0x12
export const OP_RETURN_CALL_INDIRECT = 0x13
export const OP_RETURN_CALL_REF = 0x15

const REF_NULLABLE = 0x63
const REF_NON_NULL = 0x64

/** A value type: one byte, or a (ref null? ht) prefix followed by a heap type. */
export function skipValType(r: WasmBinaryReader): void {
  const at = r.pos
  const byte = r.u8()
  if (byte === REF_NULLABLE || byte === REF_NON_NULL) r.s33()
  else if (byte < 0x40 || byte > 0x7f) r.fail(`unknown value type 0x${hex(byte)}`, at)
}

/** A block type: 0x40 (empty), a value type, or a type index as a non-negative s33. */
export function skipBlockType(r: WasmBinaryReader): void {
  const byte = r.bytes[r.pos]
  if (byte === REF_NULLABLE || byte === REF_NON_NULL) skipValType(r)
  else r.s33()
}

function skipMemarg(r: WasmBinaryReader): void {
  const align = r.u32()
  if ((align & 0x40) !== 0) r.u32() // multi-memory: explicit memory index
  r.skipLeb(10) // offset is u64 under memory64
}

/**
 * Consumes one instruction at `r.pos` and returns its first byte (the prefix for 0xFC/0xFD/0xFE),
 * which is all the rewriter branches on.
 */
export function skipInstruction(r: WasmBinaryReader): number {
  const at = r.pos
  const op = r.u8()
  switch (op) {
    case 0x00: case 0x01: case 0x05: case 0x0a: case 0x0b: case 0x0f: case 0x19: case 0x1a: case 0x1b:
    case 0xd1: case 0xd3: case 0xd4:
      return op
    case 0x02: case 0x03: case 0x04: case 0x06: // block loop if try
      skipBlockType(r)
      return op
    case 0x07: case 0x08: case 0x09: case 0x0c: case 0x0d: case 0x10: case 0x12: case 0x14: case 0x15:
    case 0x18: case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25: case 0x26:
    case 0x3f: case 0x40: case 0xd2: case 0xd5: case 0xd6:
      r.u32() // one index: tag, label, function, type, local, global, table or memory
      return op
    case 0x0e: { // br_table
      const count = r.u32()
      for (let i = 0; i <= count; i++) r.u32()
      return op
    }
    case 0x11: case 0x13: // call_indirect, return_call_indirect: type, table
      r.u32()
      r.u32()
      return op
    case 0x1c: { // select with types
      const count = r.u32()
      for (let i = 0; i < count; i++) skipValType(r)
      return op
    }
    case 0x1f: { // try_table
      skipBlockType(r)
      const count = r.u32()
      for (let i = 0; i < count; i++) {
        const kindAt = r.pos
        const kind = r.u8()
        if (kind > 3) r.fail(`unknown try_table catch kind ${kind}`, kindAt)
        if (kind < 2) r.u32() // catch / catch_ref name a tag
        r.u32()
      }
      return op
    }
    case 0x41: r.skipLeb(5); return op
    case 0x42: r.skipLeb(10); return op
    case 0x43: r.skip(4); return op
    case 0x44: r.skip(8); return op
    case 0xd0: r.s33(); return op // ref.null heap type
    case 0xfc: skipMiscOp(r, at); return op
    case 0xfd: skipSimdOp(r, at); return op
    case 0xfe: skipAtomicOp(r, at); return op
    default:
      if (op >= 0x28 && op <= 0x3e) skipMemarg(r)
      else if (!(op >= 0x45 && op <= 0xc4)) unknown(r, `0x${hex(op)}`, at)
      return op
  }
}

function skipMiscOp(r: WasmBinaryReader, at: number): void {
  const sub = r.u32()
  if (sub <= 7) return // saturating truncations
  switch (sub) {
    case 8: case 10: case 12: case 14: // memory.init, memory.copy, table.init, table.copy
      r.u32()
      r.u32()
      return
    case 9: case 11: case 13: case 15: case 16: case 17: // data.drop, memory.fill, elem.drop, table.grow/size/fill
      r.u32()
      return
    default:
      unknown(r, `0xfc ${sub}`, at)
  }
}

// SIMD opcodes 0..0xff that no proposal assigns.
const SIMD_UNASSIGNED = new Set([
  0x9a, 0xa2, 0xa5, 0xa6, 0xaf, 0xb0, 0xb2, 0xb3, 0xb4, 0xbb, 0xc2, 0xc5, 0xc6, 0xcf, 0xd0, 0xd2, 0xd3,
  0xd4, 0xe2, 0xee,
])
const RELAXED_SIMD_LAST = 0x113

function skipSimdOp(r: WasmBinaryReader, at: number): void {
  const sub = r.u32()
  if (sub <= 11 || sub === 92 || sub === 93) skipMemarg(r) // loads, store, load*_zero
  else if (sub === 12 || sub === 13) r.skip(16) // v128.const, i8x16.shuffle
  else if (sub >= 21 && sub <= 34) r.skip(1) // extract/replace lane
  else if (sub >= 84 && sub <= 91) { // load/store lane
    skipMemarg(r)
    r.skip(1)
  } else if (sub > RELAXED_SIMD_LAST || SIMD_UNASSIGNED.has(sub)) unknown(r, `0xfd ${sub}`, at)
}

function skipAtomicOp(r: WasmBinaryReader, at: number): void {
  const sub = r.u32()
  if (sub === 3) r.skip(1) // atomic.fence: reserved byte
  else if (sub <= 2 || (sub >= 0x10 && sub <= 0x4e)) skipMemarg(r)
  else unknown(r, `0xfe ${sub}`, at)
}

function unknown(r: WasmBinaryReader, opcode: string, at: number): never {
  const hint = opcode.startsWith('0xfb') ? ' (GC proposal, not supported)' : ''
  return r.fail(`unknown opcode ${opcode}${hint}`, at)
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0')
}
