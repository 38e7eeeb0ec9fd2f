// Typed access to one header or trailer map of the current context (request, response, or an
// http call's response). Names are sent as given; hosts lowercase them (Envoy does).
import {
  proxy_add_header_map_value, proxy_get_header_map_pairs, proxy_get_header_map_size,
  proxy_get_header_map_value, proxy_remove_header_map_value, proxy_replace_header_map_value,
  proxy_set_header_map_pairs,
} from "./abi/imports"
import { MapType, Status } from "./abi/types"
import { expectOk, sdkAbort } from "./runtime/abort"
import { OUT_PTR, OUT_SIZE, encodeAt, release, scratchBase, takeString } from "./runtime/memory"
import { HeaderPair, decodePairs, encodePairs } from "./runtime/pairs"

export class HeaderMap {
  constructor(public readonly mapType: MapType) {}

  /** The first value of `name`, or null when absent (or the map is not available now). */
  get(name: string): string | null {
    const k = encodeAt(name, 0)
    const status = proxy_get_header_map_value(this.mapType, scratchBase(), k, OUT_PTR, OUT_SIZE)
    if (status == Status.NotFound || status == Status.BadArgument) return null
    expectOk(status, "proxy_get_header_map_value")
    return takeString(load<u32>(OUT_PTR), load<u32>(OUT_SIZE))
  }

  has(name: string): bool {
    return this.get(name) != null
  }

  /** Sets `name` to `value`, replacing every existing value. */
  set(name: string, value: string): void {
    const k = encodeAt(name, 0)
    const v = encodeAt(value, k)
    const base = scratchBase()
    expectOk(proxy_replace_header_map_value(this.mapType, base, k, base + k, v), "proxy_replace_header_map_value")
  }

  /** Adds another value for `name` (keeps existing ones). */
  add(name: string, value: string): void {
    const k = encodeAt(name, 0)
    const v = encodeAt(value, k)
    const base = scratchBase()
    expectOk(proxy_add_header_map_value(this.mapType, base, k, base + k, v), "proxy_add_header_map_value")
  }

  /** Removes every value of `name`; fine if it was absent. */
  remove(name: string): void {
    const k = encodeAt(name, 0)
    expectOk(proxy_remove_header_map_value(this.mapType, scratchBase(), k), "proxy_remove_header_map_value")
  }

  /** Every pair, in order (repeated names appear once per value). Empty when unavailable. */
  all(): HeaderPair[] {
    const status = proxy_get_header_map_pairs(this.mapType, OUT_PTR, OUT_SIZE)
    if (status == Status.NotFound || status == Status.BadArgument) return new Array<HeaderPair>()
    expectOk(status, "proxy_get_header_map_pairs")
    const ptr = <usize>load<u32>(OUT_PTR)
    const pairs = decodePairs(ptr, load<u32>(OUT_SIZE))
    release(ptr)
    if (pairs == null) sdkAbort("the host sent a malformed header map", null, 0, 0)
    return pairs!
  }

  /** Replaces the whole map with `pairs`. */
  setAll(pairs: HeaderPair[]): void {
    const size = encodePairs(pairs, 0)
    expectOk(proxy_set_header_map_pairs(this.mapType, scratchBase(), size), "proxy_set_header_map_pairs")
  }

  /** The map's size as the host reports it (Envoy: bytes, not pairs). */
  byteSize(): u32 {
    const status = proxy_get_header_map_size(this.mapType, OUT_PTR)
    if (status != Status.Ok) return 0
    return load<u32>(OUT_PTR)
  }
}
