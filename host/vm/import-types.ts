/**
 * @module
 * Reads the declared type of each function import from a module's type and import sections
 * (the JS API does not expose them). Returns undefined when the module uses type forms this
 * small reader does not follow (GC proposal rec/sub types); the caller then skips the check.
 */

const VAL: Record<number, string> = { 0x7f: 'i', 0x7e: 'I', 0x7d: 'f', 0x7c: 'F', 0x7b: 'v', 0x70: 'r', 0x6f: 'r' }

class Reader {
  pos: number
  constructor(
    readonly bytes: Uint8Array,
    pos: number,
  ) {
    this.pos = pos
  }
  u8(): number {
    if (this.pos >= this.bytes.length) throw new RangeError('eof')
    return this.bytes[this.pos++] as number
  }
  leb(): number {
    let result = 0
    let shift = 0
    for (;;) {
      const b = this.u8()
      if (shift < 32) result |= (b & 0x7f) << shift
      if ((b & 0x80) === 0) return result >>> 0
      shift += 7
      if (shift > 70) throw new RangeError('leb')
    }
  }
  name(): string {
    const len = this.leb()
    const s = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.pos, len).toString('utf8')
    this.pos += len
    return s
  }
  limits(): void {
    const flags = this.u8()
    this.leb()
    if (flags & 1) this.leb()
  }
}

/** `module.name` → signature ("ii->i") for every function import. */
export function readFunctionImportTypes(bytes: Uint8Array): Map<string, string> | undefined {
  try {
    const r = new Reader(bytes, 8)
    const types: string[] = []
    const out = new Map<string, string>()
    while (r.pos < bytes.length) {
      const id = r.u8()
      const size = r.leb()
      const end = r.pos + size
      if (id === 1) {
        const n = r.leb()
        for (let i = 0; i < n; i++) {
          if (r.u8() !== 0x60) return undefined
          let sig = ''
          const np = r.leb()
          for (let j = 0; j < np; j++) sig += VAL[r.u8()] ?? '?'
          sig += '->'
          const nr = r.leb()
          for (let j = 0; j < nr; j++) sig += VAL[r.u8()] ?? '?'
          types.push(sig)
        }
      } else if (id === 2) {
        const n = r.leb()
        for (let i = 0; i < n; i++) {
          const mod = r.name()
          const name = r.name()
          const kind = r.u8()
          if (kind === 0) out.set(`${mod}.${name}`, types[r.leb()] ?? '?')
          else if (kind === 1) {
            r.u8()
            r.limits()
          } else if (kind === 2) r.limits()
          else if (kind === 3) {
            r.u8()
            r.u8()
          } else if (kind === 4) {
            r.u8()
            r.leb()
          } else return undefined
        }
        return out
      }
      r.pos = end
    }
    return out
  } catch {
    return undefined
  }
}
