/**
 * @module
 * A cursor over Wasm binary bytes: LEB128 integers, names, raw slices. Every failure is a
 * WG_ERR_WASM_INVALID that names what was being read and the byte offset, so a truncated or
 * corrupt module is refused with a location instead of being rewritten into garbage.
 */
import { WasmgateError } from '../errors.ts'

const utf8 = new TextDecoder('utf-8', { fatal: true })

export class WasmBinaryReader {
  readonly bytes: Uint8Array
  pos: number
  readonly end: number

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes
    this.pos = start
    this.end = end
  }

  get isAtEnd(): boolean {
    return this.pos >= this.end
  }

  fail(what: string, at = this.pos): never {
    throw new WasmgateError('WG_ERR_WASM_INVALID', [`${what} at offset ${at}`])
  }

  u8(): number {
    if (this.pos >= this.end) this.fail('unexpected end of data')
    return this.bytes[this.pos++] as number
  }

  /** Unsigned LEB128 that must fit in 32 bits (indices, counts, sizes). */
  u32(): number {
    const start = this.pos
    let result = 0
    let shift = 0
    for (;;) {
      const byte = this.u8()
      if (shift === 28 && (byte & 0x70) !== 0) this.fail('u32 LEB128 overflows 32 bits', start)
      result += (byte & 0x7f) * 2 ** shift
      if ((byte & 0x80) === 0) return result
      shift += 7
      if (shift > 28) this.fail('u32 LEB128 longer than 5 bytes', start)
    }
  }

  /** Skips a LEB128 of at most `maxBytes` bytes (s32: 5, s33: 5, s64/u64: 10); sign is irrelevant. */
  skipLeb(maxBytes: number): void {
    const start = this.pos
    for (let i = 0; i < maxBytes; i++) if ((this.u8() & 0x80) === 0) return
    this.fail(`LEB128 longer than ${maxBytes} bytes`, start)
  }

  /** Signed LEB128 up to 33 bits (block types, heap types); exact for the values Wasm allows. */
  s33(): number {
    const start = this.pos
    let result = 0
    let shift = 0
    let byte: number
    do {
      if (shift > 28) this.fail('s33 LEB128 longer than 5 bytes', start)
      byte = this.u8()
      result += (byte & 0x7f) * 2 ** shift
      shift += 7
    } while ((byte & 0x80) !== 0)
    if ((byte & 0x40) !== 0) result -= 2 ** shift
    return result
  }

  skip(length: number): void {
    if (length > this.end - this.pos) this.fail(`${length}-byte field runs past the end`)
    this.pos += length
  }

  slice(length: number): Uint8Array {
    const start = this.pos
    this.skip(length)
    return this.bytes.subarray(start, this.pos)
  }

  name(): string {
    const at = this.pos
    const bytes = this.slice(this.u32())
    try {
      return utf8.decode(bytes)
    } catch {
      return this.fail('name is not valid UTF-8', at)
    }
  }
}
