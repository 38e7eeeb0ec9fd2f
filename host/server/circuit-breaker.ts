/**
 * @module
 * Circuit breaking (Envoy's per-cluster thresholds): at most `maxRequests` in flight across the
 * cluster, and at most `maxPendingRequests` waiting for a connection. A request counts as pending
 * when its endpoint already uses all `maxConnections` connections (pipelining is 1). Over either
 * limit the request is refused at once with 503 instead of queueing without bound.
 */
import type { ClusterConfig } from '../config/schema.ts'
import type { Endpoint } from './endpoint.ts'

export type Overflow = 'maxRequests' | 'maxPendingRequests'

export class CircuitBreaker {
  readonly #maxRequests: number
  readonly #maxPending: number
  inflight = 0
  pending = 0
  overflowsTotal = 0

  constructor(limits: ClusterConfig['limits']) {
    this.#maxRequests = limits.maxRequests
    this.#maxPending = limits.maxPendingRequests
  }

  /** Reserves a slot on `endpoint`, or names the limit that is full. */
  admit(endpoint: Endpoint): Overflow | undefined {
    if (this.inflight >= this.#maxRequests) {
      this.overflowsTotal++
      return 'maxRequests'
    }
    const waits = endpoint.inflight >= endpoint.maxConnections
    if (waits && this.pending >= this.#maxPending) {
      this.overflowsTotal++
      return 'maxPendingRequests'
    }
    this.inflight++
    endpoint.inflight++
    if (waits) this.pending++
    return undefined
  }

  /** Frees what `admit` reserved. `pending` stays the sum of max(0, inflight - maxConnections). */
  release(endpoint: Endpoint): void {
    if (endpoint.inflight > endpoint.maxConnections) this.pending--
    this.inflight--
    endpoint.inflight--
  }
}
