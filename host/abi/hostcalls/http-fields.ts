/**
 * @module
 * Spec "HTTP fields" (header and trailer maps): get/set pairs, get/add/replace/remove one value,
 * get size. Names are lowercased on every write and lookup, as Envoy does (LowerCaseString); GuestMemory.headerName decodes each once.
 */
import type { AbiHost } from '../abi-host.ts'
import { Status } from '../constants.ts'
import { decodePairs, encodeMap } from '../pairs.ts'

const EMPTY = new Uint8Array(0)

export function httpFieldImports(host: AbiHost) {
  const mem = host.memory
  const isV010 = host.version === '0.1.0'
  return {
    proxy_get_header_map_pairs(type: number, retPtrPtr: number, retSizePtr: number): number {
      // Envoy: an unavailable map reads as empty (Ok, nothing allocated).
      const map = host.context?.getMap(type, false)
      return mem.copyOut(map === undefined ? EMPTY : encodeMap(map), retPtrPtr, retSizePtr)
    },
    proxy_set_header_map_pairs(type: number, ptr: number, size: number): number {
      const map = host.context?.getMap(type, true)
      if (map === undefined) return Status.BadArgument
      const bytes = mem.view(ptr, size)
      if (bytes === undefined) return Status.InvalidMemoryAccess
      // cpp-host: a malformed or over-limit map decodes as empty, so the map is cleared.
      map.replaceAll(decodePairs(bytes) ?? [])
      return Status.Ok
    },
    proxy_get_header_map_value(type: number, keyPtr: number, keySize: number, retPtrPtr: number, retSizePtr: number): number {
      const key = mem.headerName(keyPtr, keySize)
      if (key === undefined) return Status.InvalidMemoryAccess
      const map = host.context?.getMap(type, false)
      if (map === undefined) return Status.BadArgument
      // Envoy returns only the first value of a repeated header.
      const value = map.get(key)
      if (value === undefined) {
        // 0.1.0: a missing key is OK with an empty value; 0.2.x: NotFound.
        if (isV010) return mem.copyOut(new Uint8Array(0), retPtrPtr, retSizePtr)
        return Status.NotFound
      }
      return mem.copyOutLatin1(value, retPtrPtr, retSizePtr)
    },
    proxy_add_header_map_value(type: number, keyPtr: number, keySize: number, valuePtr: number, valueSize: number): number {
      const key = mem.headerName(keyPtr, keySize)
      const value = mem.latin1(valuePtr, valueSize)
      if (key === undefined || value === undefined) return Status.InvalidMemoryAccess
      const map = host.context?.getMap(type, true)
      if (map === undefined) return Status.BadArgument
      map.add(key, value)
      return Status.Ok
    },
    proxy_replace_header_map_value(type: number, keyPtr: number, keySize: number, valuePtr: number, valueSize: number): number {
      const key = mem.headerName(keyPtr, keySize)
      const value = mem.latin1(valuePtr, valueSize)
      if (key === undefined || value === undefined) return Status.InvalidMemoryAccess
      const map = host.context?.getMap(type, true)
      if (map === undefined) return Status.BadArgument
      map.set(key, value)
      return Status.Ok
    },
    proxy_remove_header_map_value(type: number, keyPtr: number, keySize: number): number {
      const key = mem.headerName(keyPtr, keySize)
      if (key === undefined) return Status.InvalidMemoryAccess
      const map = host.context?.getMap(type, true)
      if (map === undefined) return Status.BadArgument
      map.remove(key)
      return Status.Ok
    },
    /** Envoy writes HeaderMap::byteSize(), a byte count, not the number of pairs. */
    proxy_get_header_map_size(type: number, retSizePtr: number): number {
      const map = host.context?.getMap(type, false)
      if (map === undefined) return Status.BadArgument
      return mem.writeU32(retSizePtr, map.byteSize()) ? Status.Ok : Status.InvalidMemoryAccess
    },
  }
}
