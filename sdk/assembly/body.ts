// Typed access to one body buffer of the current context: the request or response body while
// its callback runs, or an http call's response body.
import { proxy_get_buffer_bytes, proxy_get_buffer_status, proxy_set_buffer_bytes } from "./abi/imports"
import { BufferType, Status } from "./abi/types"
import { expectOk } from "./runtime/abort"
import { OUT_PTR, OUT_SIZE, encodeAt, scratchBase, takeBytes, takeString } from "./runtime/memory"

/** Reads bytes [start, start+maxSize) of a host buffer; null when the buffer is not available. */
export function readBuffer(bufferType: BufferType, start: usize = 0, maxSize: usize = <usize>u32.MAX_VALUE): ArrayBuffer | null {
  // Keep start + maxSize within u32: some hosts check that sum for overflow.
  const max = min(maxSize, <usize>u32.MAX_VALUE - start)
  const status = proxy_get_buffer_bytes(bufferType, start, max, OUT_PTR, OUT_SIZE)
  if (status == Status.NotFound || status == Status.BadArgument) return null
  expectOk(status, "proxy_get_buffer_bytes")
  return takeBytes(load<u32>(OUT_PTR), load<u32>(OUT_SIZE))
}

/** Reads a whole host buffer as UTF-8; null when the buffer is not available. */
export function readBufferString(bufferType: BufferType): string | null {
  const status = proxy_get_buffer_bytes(bufferType, 0, u32.MAX_VALUE, OUT_PTR, OUT_SIZE)
  if (status == Status.NotFound || status == Status.BadArgument) return null
  expectOk(status, "proxy_get_buffer_bytes")
  return takeString(load<u32>(OUT_PTR), load<u32>(OUT_SIZE))
}

export class Body {
  constructor(public readonly bufferType: BufferType) {}

  /** The buffered bytes so far (all of them, or a slice); null when not available now. */
  bytes(start: usize = 0, maxSize: usize = <usize>u32.MAX_VALUE): ArrayBuffer | null {
    return readBuffer(this.bufferType, start, maxSize)
  }

  /** The buffered body as UTF-8 text; null when not available now. */
  text(): string | null {
    return readBufferString(this.bufferType)
  }

  /** How many bytes are buffered now (0 when not available). */
  size(): usize {
    if (proxy_get_buffer_status(this.bufferType, OUT_PTR, OUT_SIZE) != Status.Ok) return 0
    return load<u32>(OUT_PTR)
  }

  /** Replaces the whole buffered body. Remove content-length in the headers phase if it changes. */
  replace(data: ArrayBuffer): void {
    this.write(0, this.size(), changetype<usize>(data), data.byteLength)
  }

  replaceText(text: string): void {
    const len = this.size()
    const n = encodeAt(text, 0)
    this.write(0, len, scratchBase(), n)
  }

  append(data: ArrayBuffer): void {
    this.write(this.size(), 0, changetype<usize>(data), data.byteLength)
  }

  appendText(text: string): void {
    const start = this.size()
    const n = encodeAt(text, 0)
    this.write(start, 0, scratchBase(), n)
  }

  prepend(data: ArrayBuffer): void {
    this.write(0, 0, changetype<usize>(data), data.byteLength)
  }

  prependText(text: string): void {
    const n = encodeAt(text, 0)
    this.write(0, 0, scratchBase(), n)
  }

  private write(start: usize, size: usize, ptr: usize, len: usize): void {
    expectOk(proxy_set_buffer_bytes(this.bufferType, start, size, ptr, len), "proxy_set_buffer_bytes")
  }
}
