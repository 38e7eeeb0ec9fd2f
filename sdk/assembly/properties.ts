// Properties (proxy_get_property / proxy_set_property). Paths are arrays of segments, as Envoy
// expects (["request", "path"], ["plugin_root_id"]); dotted strings do not work in Envoy.
import { proxy_get_property, proxy_set_property } from "./abi/imports"
import { Status } from "./abi/types"
import { expectOk } from "./runtime/abort"
import { OUT_PTR, OUT_SIZE, encodeAt, release, scratchBase, takeBytes, takeString } from "./runtime/memory"
import { encodePath } from "./runtime/pairs"

function fetch(path: string[]): bool {
  const size = encodePath(path, 0)
  const status = proxy_get_property(scratchBase(), size, OUT_PTR, OUT_SIZE)
  if (status == Status.NotFound || status == Status.SerializationFailure) return false
  expectOk(status, "proxy_get_property")
  return true
}

/** The raw bytes of a property, or null when it does not exist here. */
export function getProperty(path: string[]): ArrayBuffer | null {
  if (!fetch(path)) return null
  return takeBytes(load<u32>(OUT_PTR), load<u32>(OUT_SIZE))
}

/** A string property (request.path, plugin_name...), or null. */
export function getPropertyString(path: string[]): string | null {
  if (!fetch(path)) return null
  return takeString(load<u32>(OUT_PTR), load<u32>(OUT_SIZE))
}

/** An integer property (8 bytes little-endian, like connection.id or response.code), or null. */
export function getPropertyInt(path: string[]): i64 {
  if (!fetch(path)) return -1
  const ptr = <usize>load<u32>(OUT_PTR)
  const size = load<u32>(OUT_SIZE)
  const v: i64 = size >= 8 ? load<i64>(ptr) : -1
  release(ptr)
  return v
}

/** Sets a property for later filters; returns false when the host does not allow it here. */
export function setProperty(path: string[], value: string): bool {
  const p = encodePath(path, 0)
  const v = encodeAt(value, p)
  const base = scratchBase()
  const status = proxy_set_property(base, p, base + p, v)
  if (status == Status.NotFound || status == Status.BadArgument) return false
  expectOk(status, "proxy_set_property")
  return true
}
