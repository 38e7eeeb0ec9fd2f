// A growable, unmanaged byte buffer for building what we hand to the host (bucket keys, header
// values, the 429 reply) without making GC garbage on the request path. One module-level
// instance is reused: every user resets it first and is done with it before the next one.

const HEX: usize = memory.data<u8>([0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66])

export class ByteWriter {
  ptr: usize = 0
  cap: usize = 0
  len: usize = 0

  reset(): ByteWriter {
    this.len = 0
    return this
  }

  /** Makes room for `extra` more bytes; returns where they go. */
  reserve(extra: usize): usize {
    const need = this.len + extra
    if (need > this.cap) {
      let cap = this.cap == 0 ? <usize>256 : this.cap
      while (cap < need) cap <<= 1
      this.ptr = this.ptr == 0 ? heap.alloc(cap) : heap.realloc(this.ptr, cap)
      this.cap = cap
    }
    return this.ptr + this.len
  }

  byte(b: u8): ByteWriter {
    store<u8>(this.reserve(1), b)
    this.len++
    return this
  }

  raw(src: usize, size: usize): ByteWriter {
    memory.copy(this.reserve(size), src, size)
    this.len += size
    return this
  }

  bytes(b: ArrayBuffer): ByteWriter {
    return this.raw(changetype<usize>(b), <usize>b.byteLength)
  }

  /** A decimal unsigned integer. */
  uint(v: u64): ByteWriter {
    let digits: usize = 1
    for (let t = v; t >= 10; t /= 10) digits++
    const at = this.reserve(digits)
    for (let i = digits; i > 0; i--) {
      store<u8>(at + i - 1, <u8>(0x30 + v % 10))
      v /= 10
    }
    this.len += digits
    return this
  }

  /** Sixteen lowercase hex digits. */
  hex64(v: u64): ByteWriter {
    const at = this.reserve(16)
    for (let i: usize = 0; i < 16; i++) store<u8>(at + i, load<u8>(HEX + <usize>((v >> ((15 - i) << 2)) & 0xf)))
    this.len += 16
    return this
  }

  /** Starts a proxy-wasm header map of `count` pairs: `u32 count | count x (u32, u32) | data`. */
  beginPairs(count: u32): ByteWriter {
    this.reset()
    const table = 4 + <usize>count * 8
    store<u32>(this.reserve(table), count)
    this.len = table
    return this
  }

  /**
   * Appends the name of pair `index` (pairs go in order); returns where its value starts. Write
   * the value, then call pairValueEnd with that offset.
   */
  pairName(index: u32, name: ArrayBuffer): usize {
    this.bytes(name).byte(0)
    store<u32>(this.ptr + 4 + <usize>index * 8, <u32>name.byteLength)
    return this.len
  }

  /** Records the length of pair `index`'s value (written since `valueStart`) and terminates it. */
  pairValueEnd(index: u32, valueStart: usize): void {
    store<u32>(this.ptr + 8 + <usize>index * 8, <u32>(this.len - valueStart))
    this.byte(0)
  }
}

/** UTF-8 bytes of a string, made once at configure time. */
export function utf8(s: string): ArrayBuffer {
  return String.UTF8.encode(s)
}
