/**
 * @module
 * Shared queues keyed by (vm_id, name) with non-zero tokens (cpp-host shared_queue.cc).
 * register creates or reuses a queue and (re)binds delivery to the caller's root context;
 * enqueue appends and posts on_queue_ready to the event loop (never on the caller's stack).
 */
import { Status } from '../abi/constants.ts'
import { MAX_SHARED_QUEUE_ITEMS } from '../abi/limits.ts'

/** Who gets on_queue_ready for a queue: called asynchronously with the token. */
export type QueueReadyListener = (token: number) => void

interface Queue {
  readonly token: number
  readonly vmId: string
  readonly name: string
  readonly items: Uint8Array[]
  listener: QueueReadyListener | undefined
}

export class SharedQueueStore {
  readonly #byToken = new Map<number, Queue>()
  readonly #byKey = new Map<string, Queue>()
  #nextToken = 1

  register(vmId: string, name: string, listener: QueueReadyListener): number {
    const key = `${vmId}\0${name}`
    let q = this.#byKey.get(key)
    if (q === undefined) {
      q = { token: this.#nextToken++, vmId, name, items: [], listener }
      this.#byKey.set(key, q)
      this.#byToken.set(q.token, q)
    } else {
      q.listener = listener
    }
    return q.token
  }

  resolve(vmId: string, name: string): number | undefined {
    return this.#byKey.get(`${vmId}\0${name}`)?.token
  }

  enqueue(token: number, value: Uint8Array): Status {
    const q = this.#byToken.get(token)
    if (q === undefined) return Status.NotFound
    q.items.push(value)
    if (q.items.length > MAX_SHARED_QUEUE_ITEMS) q.items.shift()
    const listener = q.listener
    if (listener !== undefined) setImmediate(listener, token)
    return Status.Ok
  }

  dequeue(token: number): Uint8Array | Status {
    const q = this.#byToken.get(token)
    if (q === undefined) return Status.NotFound
    const item = q.items.shift()
    return item === undefined ? Status.Empty : item
  }

  /** Stops delivery to a listener (its root context is gone); the queue and its items stay. */
  unbind(listener: QueueReadyListener): void {
    for (const q of this.#byToken.values()) if (q.listener === listener) q.listener = undefined
  }
}
