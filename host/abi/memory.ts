/**
 * @module
 * Bounds-checked access to a guest's linear memory. Views are cached and rebuilt only when
 * `memory.buffer` changes (growth detaches the old ArrayBuffer), as undici does for llhttp.
 * Every method reports an out-of-range access as `false`/`undefined`; hostcalls turn that into
 * Status.InvalidMemoryAccess. Nothing here throws on a guest mistake.
 */
import { Status } from './constants.ts'

/** Calls the guest allocator (malloc / proxy_on_memory_allocate); 0 means it failed. */
export type GuestAllocator = (size: number) => number

declare module 'node:buffer' {
  interface Buffer {
    latin1Slice(start: number, end: number): string
    utf8Slice(start: number, end: number): string
    latin1Write(s: string, offset: number, length: number): number
    utf8Write(s: string, offset: number, length: number): number
  }
}

/** Header names a guest passes repeatedly, decoded once: slots of a direct-mapped cache. */
const NAME_SLOTS = 64
/** Longer names are decoded every time (rare, and hashing them would cost more). */
const MAX_CACHED_NAME = 48
/** Up to this many chars, text is copied into guest memory by a JS loop, not a native call. */
const SHORT_TEXT = 32

interface CachedName {
  readonly bytes: Uint8Array
  readonly name: string
}

export class GuestMemory {
  #memory: WebAssembly.Memory | undefined
  #buffer: ArrayBuffer | undefined
  #u8 = new Uint8Array(0)
  /** The same bytes as a Buffer, for native latin1/utf8 slices and writes without a copy. */
  #buf = Buffer.alloc(0)
  #dv = new DataView(new ArrayBuffer(0))
  #alloc: GuestAllocator = () => 0
  readonly #names = new Array<CachedName | undefined>(NAME_SLOTS).fill(undefined)

  bind(memory: WebAssembly.Memory, alloc: GuestAllocator): void {
    this.#memory = memory
    this.#alloc = alloc
    this.#refresh()
  }

  get isBound(): boolean {
    return this.#memory !== undefined
  }

  /** Current bytes view; only valid until the next guest call (which may grow memory). */
  get u8(): Uint8Array {
    this.#refresh()
    return this.#u8
  }

  /**
   * Growth detaches the old ArrayBuffer, so a view of length 0 is the cheap signal to re-read
   * `memory.buffer` (a native getter): the views are rebuilt only after the guest grew memory.
   */
  #refresh(): void {
    if (this.#u8.length !== 0) return
    const m = this.#memory
    if (m !== undefined && m.buffer !== this.#buffer) {
      this.#buffer = m.buffer
      this.#u8 = new Uint8Array(this.#buffer)
      this.#buf = Buffer.from(this.#buffer)
      this.#dv = new DataView(this.#buffer)
    }
  }

  inBounds(ptr: number, len: number): boolean {
    this.#refresh()
    return (ptr >>> 0) + (len >>> 0) <= this.#u8.length
  }

  /** A view of guest bytes (not a copy): use it before the next guest call. */
  view(ptr: number, len: number): Uint8Array | undefined {
    if (!this.inBounds(ptr, len)) return undefined
    const p = ptr >>> 0
    return this.#u8.subarray(p, p + (len >>> 0))
  }

  /** A copy of guest bytes, safe to keep. */
  copy(ptr: number, len: number): Uint8Array | undefined {
    const v = this.view(ptr, len)
    return v === undefined ? undefined : v.slice()
  }

  utf8(ptr: number, len: number): string | undefined {
    if (!this.inBounds(ptr, len)) return undefined
    const p = ptr >>> 0
    return this.#buf.utf8Slice(p, p + (len >>> 0))
  }

  latin1(ptr: number, len: number): string | undefined {
    if (!this.inBounds(ptr, len)) return undefined
    const p = ptr >>> 0
    return this.#buf.latin1Slice(p, p + (len >>> 0))
  }

  /**
   * A header name as the maps store it: latin1, lowercased (Envoy's LowerCaseString). Filters ask
   * for the same few names on every request, so each is decoded once per instance and then found
   * by its bytes, which costs less than a native slice and a lowercase.
   */
  headerName(ptr: number, len: number): string | undefined {
    if (!this.inBounds(ptr, len)) return undefined
    const p = ptr >>> 0
    const n = len >>> 0
    if (n > MAX_CACHED_NAME) return this.#buf.latin1Slice(p, p + n).toLowerCase()
    const u8 = this.#u8
    let h = n
    for (let i = p; i < p + n; i++) h = Math.imul(h ^ (u8[i] as number), 0x01000193)
    const slot = (h >>> 16) & (NAME_SLOTS - 1)
    const cached = this.#names[slot]
    if (cached !== undefined && cached.bytes.length === n) {
      const b = cached.bytes
      let i = 0
      while (i < n && b[i] === u8[p + i]) i++
      if (i === n) return cached.name
    }
    const name = this.#buf.latin1Slice(p, p + n).toLowerCase()
    this.#names[slot] = { bytes: u8.slice(p, p + n), name }
    return name
  }

  readU32(ptr: number): number | undefined {
    if (!this.inBounds(ptr, 4)) return undefined
    return this.#dv.getUint32(ptr >>> 0, true)
  }

  writeU32(ptr: number, value: number): boolean {
    if (!this.inBounds(ptr, 4)) return false
    this.#dv.setUint32(ptr >>> 0, value >>> 0, true)
    return true
  }

  writeU64(ptr: number, value: bigint): boolean {
    if (!this.inBounds(ptr, 8)) return false
    this.#dv.setBigUint64(ptr >>> 0, BigInt.asUintN(64, value), true)
    return true
  }

  writeBytes(ptr: number, bytes: Uint8Array): boolean {
    if (!this.inBounds(ptr, bytes.length)) return false
    this.#u8.set(bytes, ptr >>> 0)
    return true
  }

  /**
   * Hands bytes to the guest (spec "Memory ownership"): allocate with the guest allocator, copy,
   * then write the pointer and size. Empty results write (0, 0) and allocate nothing. The return
   * pointers are checked first so a bad pointer never leaks a guest allocation.
   */
  copyOut(bytes: Uint8Array, retPtrPtr: number, retSizePtr: number): Status {
    const ptr = this.#handOut(bytes.length, retPtrPtr, retSizePtr)
    if (ptr < 0) return Status.InvalidMemoryAccess
    if (bytes.length > 0) this.#u8.set(bytes, ptr)
    return Status.Ok
  }

  /** copyOut for a header value (latin1: one byte per char), written straight into guest memory. */
  copyOutLatin1(value: string, retPtrPtr: number, retSizePtr: number): Status {
    const len = value.length
    const ptr = this.#handOut(len, retPtrPtr, retSizePtr)
    if (ptr < 0) return Status.InvalidMemoryAccess
    if (len > SHORT_TEXT) this.#buf.latin1Write(value, ptr, len)
    else {
      // A JS loop beats the native write's call overhead for the short values most headers hold.
      const u8 = this.#u8
      for (let i = 0; i < len; i++) u8[ptr + i] = value.charCodeAt(i) & 0xff
    }
    return Status.Ok
  }

  /** copyOut for text, encoded as UTF-8 straight into guest memory. */
  copyOutUtf8(value: string, retPtrPtr: number, retSizePtr: number): Status {
    const len = Buffer.byteLength(value, 'utf8')
    const ptr = this.#handOut(len, retPtrPtr, retSizePtr)
    if (ptr < 0) return Status.InvalidMemoryAccess
    if (len > 0) this.#buf.utf8Write(value, ptr, len)
    return Status.Ok
  }

  /**
   * The copyOut protocol up to the copy: a fresh guest allocation of `len` bytes, its pointer and
   * size written to the return slots. Returns the pointer (0 when empty), or -1 when a pointer was
   * bad or the allocator failed.
   */
  #handOut(len: number, retPtrPtr: number, retSizePtr: number): number {
    if (!this.inBounds(retPtrPtr, 4) || !this.inBounds(retSizePtr, 4)) return -1
    let ptr = 0
    if (len > 0) {
      ptr = this.#alloc(len) >>> 0
      // The allocator is guest code: it may have grown memory (refreshed by inBounds) or lied.
      if (ptr === 0 || !this.inBounds(ptr, len)) return -1
    }
    this.#dv.setUint32(retPtrPtr >>> 0, ptr, true)
    this.#dv.setUint32(retSizePtr >>> 0, len, true)
    return ptr
  }
}
