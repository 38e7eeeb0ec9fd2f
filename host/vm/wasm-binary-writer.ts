/**
 * @module
 * Builds a Wasm binary from small encoded pieces and untouched slices of the input. Slices are
 * kept as views and copied once, in `finish()`, so rewriting a 10 MB module copies it once.
 */

export class WasmBinaryWriter {
  #chunks: Uint8Array[] = []
  #pending: number[] = []
  #length = 0

  get length(): number {
    return this.#length + this.#pending.length
  }

  u8(byte: number): this {
    this.#pending.push(byte & 0xff)
    return this
  }

  u32(value: number): this {
    let v = value >>> 0
    do {
      const byte = v & 0x7f
      v >>>= 7
      this.#pending.push(v === 0 ? byte : byte | 0x80)
    } while (v !== 0)
    return this
  }

  s32(value: number): this {
    let v = value | 0
    for (;;) {
      const byte = v & 0x7f
      v >>= 7
      const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)
      this.#pending.push(done ? byte : byte | 0x80)
      if (done) return this
    }
  }

  name(text: string): this {
    const bytes = new TextEncoder().encode(text)
    return this.u32(bytes.length).bytes(bytes)
  }

  bytes(chunk: Uint8Array): this {
    this.#flush()
    if (chunk.length > 0) {
      this.#chunks.push(chunk)
      this.#length += chunk.length
    }
    return this
  }

  /** Appends another writer's content as a length-prefixed payload (sections, function bodies). */
  sized(inner: WasmBinaryWriter): this {
    return this.u32(inner.length).bytes(inner.finish())
  }

  finish(): Uint8Array {
    this.#flush()
    if (this.#chunks.length === 1) return this.#chunks[0] as Uint8Array
    const out = new Uint8Array(this.#length)
    let offset = 0
    for (const chunk of this.#chunks) {
      out.set(chunk, offset)
      offset += chunk.length
    }
    this.#chunks = [out]
    return out
  }

  #flush(): void {
    if (this.#pending.length === 0) return
    this.#chunks.push(Uint8Array.from(this.#pending))
    this.#length += this.#pending.length
    this.#pending = []
  }
}
