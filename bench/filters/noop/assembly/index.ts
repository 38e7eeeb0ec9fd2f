// A no-op proxy-wasm 0.2.1 filter written against the raw ABI (no SDK): it exports the callbacks
// a typical SDK build exports and each one returns at once. It measures what the host pays to run
// a one-filter chain: context create, request/response header callbacks, done/delete.

// Bump allocator over linear memory; the host only asks it for buffers it hands us, and this
// filter asks for none, so it never needs to free.
let top: usize = 0

export function proxy_on_memory_allocate(size: usize): usize {
  if (top == 0) top = (__heap_base + 15) & ~15
  const ptr = top
  top = (top + size + 15) & ~15
  const needPages = i32(((top + 0xffff) >> 16) - <usize>memory.size())
  if (needPages > 0 && memory.grow(needPages) < 0) return 0
  return ptr
}

export function malloc(size: usize): usize {
  return proxy_on_memory_allocate(size)
}

export function proxy_abi_version_0_2_1(): void {}
export function proxy_on_context_create(_ctx: u32, _parent: u32): void {}
export function proxy_on_vm_start(_ctx: u32, _size: u32): u32 { return 1 }
export function proxy_on_configure(_ctx: u32, _size: u32): u32 { return 1 }
export function proxy_on_request_headers(_ctx: u32, _n: u32, _eos: u32): u32 { return 0 }
export function proxy_on_response_headers(_ctx: u32, _n: u32, _eos: u32): u32 { return 0 }
export function proxy_on_log(_ctx: u32): void {}
export function proxy_on_done(_ctx: u32): u32 { return 1 }
export function proxy_on_delete(_ctx: u32): void {}
