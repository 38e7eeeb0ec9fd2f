/**
 * @module
 * The handle of one configured filter: hands out its live instance to new streams, drops an
 * instance that failed (never reused), and builds a fresh one from the cached module for the
 * next stream. Streams pin the live instance they started on, so one that is replaced or fails
 * does not move under a request in flight. Repeated failures back off (failurePolicy "reload":
 * Envoy's FAIL_RELOAD backoff; for every policy when a fresh instance cannot even start).
 */
import { RELOAD_BACKOFF_BASE_MS, RELOAD_BACKOFF_MAX_MS } from '../abi/limits.ts'
import type { FailurePolicy } from '../config/schema.ts'

export type HandleState = 'running' | 'failed' | 'backoff'

export class PluginHandle<L> {
  readonly #create: () => L
  /** Read at each failure: a hot reload may change the filter's policy. */
  readonly #policy: () => FailurePolicy
  #current: L | undefined
  #failures = 0
  #retryAtMs = 0
  #lastError: unknown = undefined

  /** `first` is the instance that passed start/configure at load time. */
  constructor(first: L, create: () => L, policy: FailurePolicy | (() => FailurePolicy)) {
    this.#current = first
    this.#create = create
    this.#policy = typeof policy === 'function' ? policy : () => policy
  }

  get current(): L | undefined {
    return this.#current
  }

  get lastError(): unknown {
    return this.#lastError
  }

  get state(): HandleState {
    if (this.#current !== undefined) return 'running'
    return Date.now() < this.#retryAtMs ? 'backoff' : 'failed'
  }

  /** The live instance for a new stream, creating a fresh one if the last failed; undefined while unavailable. */
  acquire(): L | undefined {
    if (this.#current !== undefined) return this.#current
    if (Date.now() < this.#retryAtMs) return undefined
    try {
      this.#current = this.#create()
      return this.#current
    } catch (err) {
      this.#lastError = err
      this.#failures++
      this.#retryAtMs = Date.now() + this.#backoffMs(this.#failures)
      return undefined
    }
  }

  /** The live instance failed (trap or deadline): it is dropped and never handed out again. */
  markFailed(live: L, error: unknown): void {
    if (this.#current !== live) return
    this.#current = undefined
    this.#lastError = error
    this.#failures++
    // reload: the first fresh instance comes at once; a crash loop waits longer each time.
    if (this.#policy() === 'reload' && this.#failures > 1) this.#retryAtMs = Date.now() + this.#backoffMs(this.#failures - 1)
  }

  /** A stream finished cleanly: the crash loop, if any, is over. */
  noteSuccess(): void {
    this.#failures = 0
  }

  /** Replaces the live instance (hot reload); returns the old one so the caller can retire it. */
  replace(next: L): L | undefined {
    const old = this.#current
    this.#current = next
    this.#failures = 0
    this.#retryAtMs = 0
    return old
  }

  #backoffMs(n: number): number {
    return Math.min(RELOAD_BACKOFF_MAX_MS, RELOAD_BACKOFF_BASE_MS * 2 ** Math.max(0, n - 1))
  }
}
