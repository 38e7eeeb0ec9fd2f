/**
 * @module
 * Active HTTP health checks: every `intervalMs` each endpoint gets `GET path` through its own
 * pool. `unhealthyThreshold` failures in a row mark it unhealthy (the load balancer skips it),
 * `healthyThreshold` successes in a row mark it healthy again. Success is any 2xx, or one of
 * `expectedStatuses` when given. Timers are unref'd so they never keep the process alive.
 */
import type { ClusterConfig } from '../config/schema.ts'
import type { Endpoint } from './endpoint.ts'

type HealthConfig = NonNullable<ClusterConfig['healthCheck']>

export class HealthChecker {
  readonly #config: HealthConfig
  readonly #endpoint: Endpoint
  readonly #onChange: (endpoint: Endpoint, isHealthy: boolean) => void
  #timer: NodeJS.Timeout | undefined
  #successes = 0
  #failures = 0
  #closed = false
  #abort: AbortController | undefined

  constructor(config: HealthConfig, endpoint: Endpoint, onChange: (endpoint: Endpoint, isHealthy: boolean) => void) {
    this.#config = config
    this.#endpoint = endpoint
    this.#onChange = onChange
  }

  start(): void {
    this.#schedule(0)
  }

  close(): void {
    this.#closed = true
    clearTimeout(this.#timer)
    this.#abort?.abort()
  }

  #schedule(delayMs: number): void {
    if (this.#closed) return
    this.#timer = setTimeout(() => void this.#check(), delayMs)
    this.#timer.unref()
  }

  async #check(): Promise<void> {
    this.#abort = new AbortController()
    let ok = false
    try {
      const res = await this.#endpoint.pool.request({
        method: 'GET',
        path: this.#config.path,
        headers: { host: this.#endpoint.authority, 'user-agent': 'wasmgate-health-check' },
        headersTimeout: this.#config.timeoutMs,
        bodyTimeout: this.#config.timeoutMs,
        signal: this.#abort.signal,
      })
      await res.body.dump()
      const expected = this.#config.expectedStatuses
      ok = expected.length === 0 ? res.statusCode >= 200 && res.statusCode < 300 : expected.includes(res.statusCode)
    } catch {
      ok = false
    }
    if (this.#closed) return
    this.#record(ok)
    this.#schedule(this.#config.intervalMs)
  }

  #record(ok: boolean): void {
    const e = this.#endpoint
    if (ok) {
      this.#failures = 0
      if (!e.isHealthy && ++this.#successes >= this.#config.healthyThreshold) {
        e.isHealthy = true
        this.#successes = 0
        this.#onChange(e, true)
      }
    } else {
      this.#successes = 0
      if (e.isHealthy && ++this.#failures >= this.#config.unhealthyThreshold) {
        e.isHealthy = false
        this.#failures = 0
        this.#onChange(e, false)
      }
    }
  }
}
