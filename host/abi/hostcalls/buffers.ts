/**
 * @module
 * Spec "Buffers": proxy_get_buffer_bytes, proxy_set_buffer_bytes, proxy_get_buffer_status,
 * and 0.1.0's proxy_get_configuration.
 */
import type { AbiHost } from '../abi-host.ts'
import { BufferType, Status } from '../constants.ts'

const EMPTY = new Uint8Array(0)
/** cpp-host: a type past the last known one is a bad argument; a known one not available here is NotFound. */
const isKnownType = (type: number) => type >>> 0 <= BufferType.CallData

export function bufferImports(host: AbiHost) {
  const mem = host.memory
  return {
    proxy_get_buffer_bytes(type: number, start: number, maxSize: number, retPtrPtr: number, retSizePtr: number): number {
      const ctx = host.context
      if (ctx === undefined) return Status.InternalFailure
      const s = start >>> 0
      const max = maxSize >>> 0
      // cpp-host: start + length overflowing 32 bits is a bad argument.
      if (s + max > 0xffffffff || !isKnownType(type)) return Status.BadArgument
      const buf = ctx.getBuffer(type)
      if (buf === undefined) return Status.NotFound
      if (s >= buf.length) return mem.copyOut(EMPTY, retPtrPtr, retSizePtr)
      return mem.copyOut(buf.subarray(s, Math.min(buf.length, s + max)), retPtrPtr, retSizePtr)
    },
    proxy_set_buffer_bytes(type: number, start: number, size: number, valuePtr: number, valueSize: number): number {
      const ctx = host.context
      if (ctx === undefined) return Status.InternalFailure
      const value = mem.copy(valuePtr, valueSize)
      if (value === undefined) return Status.InvalidMemoryAccess
      if (!isKnownType(type)) return Status.BadArgument
      return ctx.setBuffer(type, start >>> 0, size >>> 0, value)
    },
    proxy_get_buffer_status(type: number, retSizePtr: number, retFlagsPtr: number): number {
      const ctx = host.context
      if (ctx === undefined) return Status.InternalFailure
      if (!mem.inBounds(retSizePtr, 4) || !mem.inBounds(retFlagsPtr, 4)) return Status.InvalidMemoryAccess
      if (!isKnownType(type)) return Status.BadArgument
      const buf = ctx.getBuffer(type)
      if (buf === undefined) return Status.NotFound
      mem.writeU32(retSizePtr, buf.length)
      mem.writeU32(retFlagsPtr, 0) // cpp-host always reports 0 flags
      return Status.Ok
    },
    /** 0.1.0: the plugin configuration (during on_configure), else the VM configuration. */
    proxy_get_configuration(retPtrPtr: number, retSizePtr: number): number {
      const ctx = host.context
      if (ctx === undefined) return Status.InternalFailure
      const buf = ctx.getBuffer(BufferType.PluginConfiguration) ?? ctx.getBuffer(BufferType.VmConfiguration)
      if (buf === undefined) return Status.NotFound
      return mem.copyOut(buf, retPtrPtr, retSizePtr)
    },
  }
}
