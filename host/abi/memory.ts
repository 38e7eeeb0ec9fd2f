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

export class GuestMemory {
  #memory: WebAssembly.Memory | undefined
  #buffer: ArrayBuffer | undefined
  #u8 = new Uint8Array(0)
  /** The same bytes as a Buffer, for native latin1/utf8 slices and writes without a copy. */
  #buf = Buffer.alloc(0)
  #dv = new DataView(new ArrayBuffer(0))
  #alloc: GuestAllocator = () => 0

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
    return this.#handOut(bytes.length, retPtrPtr, retSizePtr, (ptr) => this.#u8.set(bytes, ptr))
  }

  /** copyOut for a header value (latin1: one byte per char), written straight into guest memory. */
  copyOutLatin1(value: string, retPtrPtr: number, retSizePtr: number): Status {
    return this.#handOut(value.length, retPtrPtr, retSizePtr, (ptr, len) => this.#buf.latin1Write(value, ptr, len))
  }

  /** copyOut for text, encoded as UTF-8 straight into guest memory. */
  copyOutUtf8(value: string, retPtrPtr: number, retSizePtr: number): Status {
    return this.#handOut(Buffer.byteLength(value, 'utf8'), retPtrPtr, retSizePtr, (ptr, len) => this.#buf.utf8Write(value, ptr, len))
  }

  /** The copyOut protocol for `len` bytes that `write` puts at a fresh guest allocation. */
  #handOut(len: number, retPtrPtr: number, retSizePtr: number, write: (ptr: number, len: number) => void): Status {
    if (!this.inBounds(retPtrPtr, 4) || !this.inBounds(retSizePtr, 4)) return Status.InvalidMemoryAccess
    let ptr = 0
    if (len > 0) {
      ptr = this.#alloc(len) >>> 0
      // The allocator is guest code: it may have grown memory (refreshed by inBounds) or lied.
      if (ptr === 0 || !this.inBounds(ptr, len)) return Status.InvalidMemoryAccess
      write(ptr, len)
    }
    this.#dv.setUint32(retPtrPtr >>> 0, ptr, true)
    this.#dv.setUint32(retSizePtr >>> 0, len, true)
    return Status.Ok
  }
}
