// Shared queues: named FIFO queues between VMs; the registering root context gets onQueueReady.
import { proxy_dequeue_shared_queue, proxy_enqueue_shared_queue, proxy_register_shared_queue, proxy_resolve_shared_queue } from "./abi/imports"
import { Status } from "./abi/types"
import { expectOk } from "./runtime/abort"
import { OUT_EXTRA, OUT_PTR, OUT_SIZE, encodeAt, scratchBase, takeBytes, takeString } from "./runtime/memory"

/** Creates (or reuses) the queue `name` and delivers its onQueueReady to the calling root context. */
export function registerSharedQueue(name: string): u32 {
  const n = encodeAt(name, 0)
  expectOk(proxy_register_shared_queue(scratchBase(), n, OUT_EXTRA), "proxy_register_shared_queue")
  return load<u32>(OUT_EXTRA)
}

/** The id of queue `name` of VM `vmId` ("" for this VM), or 0 when there is no such queue. */
export function resolveSharedQueue(vmId: string, name: string): u32 {
  const v = encodeAt(vmId, 0)
  const n = encodeAt(name, v)
  const base = scratchBase()
  const status = proxy_resolve_shared_queue(base, v, base + v, n, OUT_EXTRA)
  if (status == Status.NotFound) return 0
  expectOk(status, "proxy_resolve_shared_queue")
  return load<u32>(OUT_EXTRA)
}

/** Appends an item; false when the queue does not exist. */
export function enqueueSharedQueue(queueId: u32, value: ArrayBuffer): bool {
  const status = proxy_enqueue_shared_queue(queueId, changetype<usize>(value), value.byteLength)
  if (status == Status.NotFound) return false
  expectOk(status, "proxy_enqueue_shared_queue")
  return true
}

export function enqueueSharedQueueString(queueId: u32, value: string): bool {
  const v = encodeAt(value, 0)
  const status = proxy_enqueue_shared_queue(queueId, scratchBase(), v)
  if (status == Status.NotFound) return false
  expectOk(status, "proxy_enqueue_shared_queue")
  return true
}

function dequeue(queueId: u32): bool {
  const status = proxy_dequeue_shared_queue(queueId, OUT_PTR, OUT_SIZE)
  if (status == Status.Empty || status == Status.NotFound) return false
  expectOk(status, "proxy_dequeue_shared_queue")
  return true
}

/** The oldest item, or null when the queue is empty (or does not exist). */
export function dequeueSharedQueue(queueId: u32): ArrayBuffer | null {
  if (!dequeue(queueId)) return null
  return takeBytes(load<u32>(OUT_PTR), load<u32>(OUT_SIZE))
}

export function dequeueSharedQueueString(queueId: u32): string | null {
  if (!dequeue(queueId)) return null
  return takeString(load<u32>(OUT_PTR), load<u32>(OUT_SIZE))
}
