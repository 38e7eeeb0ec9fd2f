/**
 * @module
 * proxy_set_buffer_bytes as Envoy applies it (Buffer::copyFrom in context.cc): start 0 drains
 * `size` bytes then prepends the value (so (0, length) replaces everything); start at or past the
 * end appends; any other start is refused (the spec's "replace in the middle" is not supported).
 */
export function editBuffer(buf: Uint8Array, start: number, size: number, value: Uint8Array): Uint8Array | undefined {
  if (start === 0) {
    const rest = buf.subarray(Math.min(size, buf.length))
    return concat(value, rest)
  }
  if (start >= buf.length) return concat(buf, value)
  return undefined
}

export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b
  if (b.length === 0) return a
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}
