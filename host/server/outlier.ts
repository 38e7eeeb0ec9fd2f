/**
 * @module
 * Passive ejection (Envoy outlier detection, consecutive-5xx only): an endpoint that answers
 * `consecutive5xx` failures in a row (5xx, connect failure, reset, timeout) is not picked for
 * `baseEjectionMs × times ejected`. At most `maxEjectionPercent` of the endpoints are ejected at
 * once, but one may always be. Re-admission is lazy: the time check happens at pick time.
 */
import type { ClusterConfig } from '../config/schema.ts'
import type { Endpoint } from './endpoint.ts'

type OutlierConfig = NonNullable<ClusterConfig['outlierDetection']>

export class OutlierDetector {
  readonly #config: OutlierConfig
  readonly #endpoints: readonly Endpoint[]
  readonly #onEject: (endpoint: Endpoint, untilMs: number) => void

  constructor(config: OutlierConfig, endpoints: readonly Endpoint[], onEject: (endpoint: Endpoint, untilMs: number) => void) {
    this.#config = config
    this.#endpoints = endpoints
    this.#onEject = onEject
  }

  /** Records one attempt's outcome; `failed` is a 5xx or a transport failure. */
  record(endpoint: Endpoint, failed: boolean, nowMs: number): void {
    if (!failed) {
      endpoint.consecutive5xx = 0
      return
    }
    if (++endpoint.consecutive5xx < this.#config.consecutive5xx || endpoint.isEjected(nowMs)) return
    let ejected = 0
    for (const e of this.#endpoints) if (e.isEjected(nowMs)) ejected++
    if (ejected > 0 && (ejected + 1) * 100 > this.#config.maxEjectionPercent * this.#endpoints.length) return
    endpoint.ejectionsTotal++
    endpoint.consecutive5xx = 0
    endpoint.ejectedUntilMs = nowMs + this.#config.baseEjectionMs * endpoint.ejectionsTotal
    this.#onEject(endpoint, endpoint.ejectedUntilMs)
  }
}
