/**
 * @module
 * Spec "Shared key-value store": proxy_get_shared_data, proxy_set_shared_data (CAS per vm_id).
 */
import type { AbiHost } from '../abi-host.ts'
import { Status } from '../constants.ts'

export function sharedDataImports(host: AbiHost) {
  const mem = host.memory
  return {
    proxy_get_shared_data(keyPtr: number, keySize: number, retValuePtrPtr: number, retValueSizePtr: number, retCasPtr: number): number {
      const key = mem.utf8(keyPtr, keySize)
      if (key === undefined || !mem.inBounds(retCasPtr, 4)) return Status.InvalidMemoryAccess
      const entry = host.getSharedData(key)
      if (entry === undefined) return Status.NotFound
      const st = mem.copyOut(entry.value, retValuePtrPtr, retValueSizePtr)
      if (st !== Status.Ok) return st
      mem.writeU32(retCasPtr, entry.cas)
      return Status.Ok
    },
    proxy_set_shared_data(keyPtr: number, keySize: number, valuePtr: number, valueSize: number, cas: number): number {
      const key = mem.utf8(keyPtr, keySize)
      const value = mem.copy(valuePtr, valueSize)
      if (key === undefined || value === undefined) return Status.InvalidMemoryAccess
      return host.setSharedData(key, value, cas >>> 0)
    },
  }
}
