/**
 * @module
 * Load-balancing policies over a cluster's endpoints. Each skips endpoints that are unhealthy
 * or ejected, and avoids `exclude` (the endpoint a retry just failed on) when another is available.
 */
import type { LbPolicy } from '../config/schema.ts'
import type { Endpoint } from './endpoint.ts'

export interface LoadBalancer {
  pick(endpoints: readonly Endpoint[], nowMs: number, exclude: Endpoint | undefined): Endpoint | undefined
}

export function createLoadBalancer(policy: LbPolicy): LoadBalancer {
  switch (policy) {
    case 'least_request':
      return new LeastRequest()
    case 'random':
      return new RandomPick()
    default:
      return new RoundRobin()
  }
}

/** Scans from `start` for the first available endpoint, preferring one that is not `exclude`. */
function scanFrom(endpoints: readonly Endpoint[], start: number, nowMs: number, exclude: Endpoint | undefined): Endpoint | undefined {
  const n = endpoints.length
  let fallback: Endpoint | undefined
  for (let k = 0; k < n; k++) {
    const e = endpoints[(start + k) % n] as Endpoint
    if (!e.isAvailable(nowMs)) continue
    if (e !== exclude) return e
    fallback = e
  }
  return fallback
}

export class RoundRobin implements LoadBalancer {
  #next = 0

  pick(endpoints: readonly Endpoint[], nowMs: number, exclude: Endpoint | undefined): Endpoint | undefined {
    const n = endpoints.length
    const start = this.#next % n
    const e = scanFrom(endpoints, start, nowMs, exclude)
    if (e !== undefined) this.#next = (endpoints.indexOf(e) + 1) % n
    return e
  }
}

/** Fewest requests in flight; ties go round-robin so equal endpoints share the load. */
export class LeastRequest implements LoadBalancer {
  #next = 0

  pick(endpoints: readonly Endpoint[], nowMs: number, exclude: Endpoint | undefined): Endpoint | undefined {
    const n = endpoints.length
    const start = this.#next++ % n
    let best: Endpoint | undefined
    for (let k = 0; k < n; k++) {
      const e = endpoints[(start + k) % n] as Endpoint
      if (!e.isAvailable(nowMs) || e === exclude) continue
      if (best === undefined || e.inflight < best.inflight) best = e
    }
    return best ?? scanFrom(endpoints, start, nowMs, undefined)
  }
}

export class RandomPick implements LoadBalancer {
  pick(endpoints: readonly Endpoint[], nowMs: number, exclude: Endpoint | undefined): Endpoint | undefined {
    return scanFrom(endpoints, Math.floor(Math.random() * endpoints.length), nowMs, exclude)
  }
}
