/**
 * @module
 * Spec "Properties": proxy_get_property, proxy_set_property. A path is its segments joined by
 * NUL with no trailing NUL (Rust SDK serialize_property_path; Envoy splits on \0). A trailing NUL
 * is tolerated (some SDKs send one).
 */
import type { AbiHost } from '../abi-host.ts'
import { Status } from '../constants.ts'
import { MAX_PROPERTY_PATH_BYTES } from '../limits.ts'

/** The raw path without a trailing NUL (some SDKs send one). */
export function trimPath(raw: string): string {
  return raw.length > 1 && raw.charCodeAt(raw.length - 1) === 0 ? raw.slice(0, -1) : raw
}

export function splitPropertyPath(raw: string): string[] {
  return trimPath(raw).split('\0')
}

export function propertyImports(host: AbiHost) {
  const mem = host.memory
  return {
    proxy_get_property(pathPtr: number, pathSize: number, retPtrPtr: number, retSizePtr: number): number {
      const ctx = host.context
      if (ctx === undefined) return Status.InternalFailure
      const raw = mem.utf8(pathPtr, pathSize)
      if (raw === undefined || !mem.inBounds(retPtrPtr, 4) || !mem.inBounds(retSizePtr, 4)) return Status.InvalidMemoryAccess
      if (pathSize >>> 0 > MAX_PROPERTY_PATH_BYTES) return Status.NotFound
      const value = ctx.getProperty(trimPath(raw))
      if (typeof value === 'number') return value
      if (typeof value === 'string') return mem.copyOutUtf8(value, retPtrPtr, retSizePtr)
      return mem.copyOut(value, retPtrPtr, retSizePtr)
    },
    proxy_set_property(pathPtr: number, pathSize: number, valuePtr: number, valueSize: number): number {
      const ctx = host.context
      if (ctx === undefined) return Status.InternalFailure
      const raw = mem.utf8(pathPtr, pathSize)
      const value = mem.copy(valuePtr, valueSize)
      if (raw === undefined || value === undefined) return Status.InvalidMemoryAccess
      if (pathSize >>> 0 > MAX_PROPERTY_PATH_BYTES) return Status.BadArgument
      return ctx.setProperty(trimPath(raw), value)
    },
  }
}
