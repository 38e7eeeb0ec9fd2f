/**
 * @module
 * Spec "Shared queues": register, resolve, enqueue, dequeue.
 */
import type { AbiHost } from '../abi-host.ts'
import { Status } from '../constants.ts'

export function sharedQueueImports(host: AbiHost) {
  const mem = host.memory
  return {
    proxy_register_shared_queue(namePtr: number, nameSize: number, retQueueIdPtr: number): number {
      const name = mem.utf8(namePtr, nameSize)
      if (name === undefined || !mem.inBounds(retQueueIdPtr, 4)) return Status.InvalidMemoryAccess
      const token = host.registerSharedQueue(name)
      if (token < 0) return -token
      mem.writeU32(retQueueIdPtr, token)
      return Status.Ok
    },
    proxy_resolve_shared_queue(vmIdPtr: number, vmIdSize: number, namePtr: number, nameSize: number, retQueueIdPtr: number): number {
      const vmId = mem.utf8(vmIdPtr, vmIdSize)
      const name = mem.utf8(namePtr, nameSize)
      if (vmId === undefined || name === undefined || !mem.inBounds(retQueueIdPtr, 4)) return Status.InvalidMemoryAccess
      const token = host.resolveSharedQueue(vmId, name)
      if (token === undefined) return Status.NotFound
      mem.writeU32(retQueueIdPtr, token)
      return Status.Ok
    },
    proxy_enqueue_shared_queue(queueId: number, valuePtr: number, valueSize: number): number {
      const value = mem.copy(valuePtr, valueSize)
      if (value === undefined) return Status.InvalidMemoryAccess
      return host.enqueueSharedQueue(queueId >>> 0, value)
    },
    proxy_dequeue_shared_queue(queueId: number, retPtrPtr: number, retSizePtr: number): number {
      if (!mem.inBounds(retPtrPtr, 4) || !mem.inBounds(retSizePtr, 4)) return Status.InvalidMemoryAccess
      const item = host.dequeueSharedQueue(queueId >>> 0)
      if (typeof item === 'number') return item
      return mem.copyOut(item, retPtrPtr, retSizePtr)
    },
  }
}
