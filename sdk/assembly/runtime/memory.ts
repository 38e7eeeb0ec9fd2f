// Guest memory the SDK manages by hand, so the hot path makes no GC garbage:
//
//   OUT         a static 16-byte area for hostcall out-parameters (ptr, size, cas...);
//   scratch     one unmanaged buffer (grows x2) where strings and pairs are encoded before a call;
//   malloc      what the host calls to hand us bytes; plain heap memory, freed by the SDK with
//               `release()` once it has copied what it needs (no __pin/__unpin dance).

/** Static out-parameter slots: OUT_PTR (u32), OUT_SIZE (u32), OUT_EXTRA (u32 or u64 at +8). */
export const OUT_PTR: usize = memory.data(16, 8)
// @ts-ignore: decorator
@inline export const OUT_SIZE: usize = OUT_PTR + 4
// @ts-ignore: decorator
@inline export const OUT_EXTRA: usize = OUT_PTR + 8

let scratchPtr: usize = 0
let scratchCap: usize = 0

/** A scratch area of at least `size` bytes; valid until the next call to scratch(). */
export function scratch(size: usize): usize {
  if (size > scratchCap) {
    let cap = scratchCap == 0 ? <usize>256 : scratchCap
    while (cap < size) cap <<= 1
    scratchPtr = scratchPtr == 0 ? heap.alloc(cap) : heap.realloc(scratchPtr, cap)
    scratchCap = cap
  }
  return scratchPtr
}

/** Allocator for the host (exported as both `malloc` and `proxy_on_memory_allocate`). */
export function allocate(size: usize): usize {
  // heap.alloc never returns 0 for size 0 and never runs the GC, so it is safe while the
  // host is in the middle of a hostcall.
  return heap.alloc(size)
}

/** Frees a buffer the host allocated through `allocate`. Safe for 0 (the host's empty result). */
export function release(ptr: usize): void {
  if (ptr != 0) heap.free(ptr)
}

/** Copies host bytes at (ptr, size) into a new ArrayBuffer, and frees the host buffer. */
export function takeBytes(ptr: usize, size: usize): ArrayBuffer {
  const out = new ArrayBuffer(<i32>size)
  if (size > 0) memory.copy(changetype<usize>(out), ptr, size)
  release(ptr)
  return out
}

/** Decodes host bytes at (ptr, size) as UTF-8, and frees the host buffer. */
export function takeString(ptr: usize, size: usize): string {
  const s = size == 0 ? "" : String.UTF8.decodeUnsafe(ptr, size)
  release(ptr)
  return s
}

/** Encodes `s` as UTF-8 into scratch at `offset`; returns the byte length. */
export function encodeAt(s: string, offset: usize): usize {
  const len = <usize>String.UTF8.byteLength(s)
  const base = scratch(offset + len)
  return String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, base + offset)
}

/** The scratch area's current base; re-read it after encoding, since growth may move it. */
// @ts-ignore: decorator
@inline export function scratchBase(): usize {
  return scratchPtr
}
