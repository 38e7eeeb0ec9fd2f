// A growable UTF-8 buffer in unmanaged memory, reused for every access-log line and every export
// payload, so building them makes no garbage: the bytes go straight to proxy_log or into one
// ArrayBuffer for the http call. The object itself is unmanaged too: calls on it then cost no
// shadow-stack traffic (the incremental runtime spills every managed reference it touches).

const HEX = "0123456789abcdef"

@unmanaged
export class TextBuffer {
  ptr: usize = 0
  len: usize = 0
  cap: usize = 0

  reset(): void { this.len = 0 }

  private reserve(extra: usize): void {
    const need = this.len + extra
    if (need <= this.cap) return
    let cap = this.cap == 0 ? <usize>1024 : this.cap
    while (cap < need) cap <<= 1
    this.ptr = this.ptr == 0 ? heap.alloc(cap) : heap.realloc(this.ptr, cap)
    this.cap = cap
  }

  byte(b: u8): void {
    this.reserve(1)
    store<u8>(this.ptr + this.len, b)
    this.len++
  }

  /** Appends `s` as UTF-8, unescaped. */
  str(s: string): void {
    this.reserve(<usize>s.length * 3)
    this.len += String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, this.ptr + this.len)
  }

  /** Appends `s` as the inside of a JSON string (quotes, backslashes, controls escaped). */
  jsonText(s: string): void {
    const n = s.length
    const p = changetype<usize>(s)
    let clean = true
    for (let i = 0; i < n; i++) {
      const c = load<u16>(p + (<usize>i << 1))
      if (c < 0x20 || c == 0x22 || c == 0x5c) {
        clean = false
        break
      }
    }
    if (clean) {
      this.str(s)
      return
    }
    for (let i = 0; i < n; i++) {
      const c = <u32>load<u16>(p + (<usize>i << 1))
      if (c == 0x22 || c == 0x5c) {
        this.byte(0x5c)
        this.byte(<u8>c)
      } else if (c < 0x20) {
        this.str("\\u00")
        this.byte(<u8>HEX.charCodeAt(c >> 4))
        this.byte(<u8>HEX.charCodeAt(c & 15))
      } else {
        this.str(s.charAt(i))
      }
    }
  }

  /** Appends `"s"` as a JSON string. */
  json(s: string): void {
    this.byte(0x22)
    this.jsonText(s)
    this.byte(0x22)
  }

  /** Appends an unsigned decimal. */
  uint(v: u64): void {
    this.reserve(20)
    if (v == 0) {
      this.byte(0x30)
      return
    }
    let digits: usize = 0
    for (let t = v; t > 0; t /= 10) digits++
    let at = this.ptr + this.len + digits
    for (let t = v; t > 0; t /= 10) store<u8>(--at, <u8>(0x30 + <u32>(t % 10)))
    this.len += digits
  }

  /** Appends `v` as `digits` lowercase hex characters (most significant first). */
  hex(v: u64, digits: i32): void {
    this.reserve(<usize>digits)
    for (let i = digits - 1; i >= 0; i--) this.byte(<u8>HEX.charCodeAt(<i32>((v >> (<u64>i << 2)) & 15)))
  }

  /** Appends a number with `decimals` digits after the point (v is scaled by 10^decimals). */
  fixed(scaled: u64, decimals: i32): void {
    let p: u64 = 1
    for (let i = 0; i < decimals; i++) p *= 10
    this.uint(scaled / p)
    if (decimals == 0) return
    this.byte(0x2e)
    const frac = scaled % p
    for (let d = p / 10; d > 0; d /= 10) this.byte(<u8>(0x30 + <u32>((frac / d) % 10)))
  }

  /** The content as a new ArrayBuffer. */
  toArrayBuffer(): ArrayBuffer {
    const out = new ArrayBuffer(<i32>this.len)
    memory.copy(changetype<usize>(out), this.ptr, this.len)
    return out
  }

  toString(): string {
    return String.UTF8.decodeUnsafe(this.ptr, this.len)
  }
}
