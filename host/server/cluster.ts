/**
 * @module
 * One upstream cluster: its endpoints, load balancer, circuit breaker, retry policy, and the
 * optional active health checks and passive ejection. `acquire` picks and reserves an endpoint
 * (or says why none may be used); `release` returns it with the attempt's outcome.
 */
import type { Logger } from 'pino'
import type { ClusterConfig } from '../config/schema.ts'
import { WasmgateError } from '../errors.ts'
import { CircuitBreaker } from './circuit-breaker.ts'
import { Endpoint } from './endpoint.ts'
import { HealthChecker } from './health-check.ts'
import { createLoadBalancer, type LoadBalancer } from './load-balancer.ts'
import { OutlierDetector } from './outlier.ts'

/** Why an attempt failed, in the words of `retries.retryOn`. */
export type FailureKind = 'connect-failure' | 'reset' | 'timeout'

export interface RetryPolicy {
  readonly maxTries: number
  readonly perTryTimeoutMs: number
  readonly onConnectFailure: boolean
  readonly onReset: boolean
  readonly onTimeout: boolean
  /** Upstream statuses that are retried (502/503/504 by default). */
  readonly statuses: ReadonlySet<number>
}

export class Cluster {
  readonly name: string
  readonly config: ClusterConfig
  readonly endpoints: readonly Endpoint[]
  readonly breaker: CircuitBreaker
  readonly retry: RetryPolicy
  retriesTotal = 0
  readonly #lb: LoadBalancer
  readonly #outlier: OutlierDetector | undefined
  readonly #health: HealthChecker[] = []
  readonly #logger: Logger

  constructor(config: ClusterConfig, logger: Logger) {
    this.name = config.name
    this.config = config
    this.#logger = logger
    this.endpoints = config.endpoints.map((url) => new Endpoint(url, config))
    this.breaker = new CircuitBreaker(config.limits)
    this.#lb = createLoadBalancer(config.lb)
    const on = new Set(config.retries.retryOn)
    this.retry = {
      maxTries: config.retries.maxTries,
      perTryTimeoutMs: config.retries.perTryTimeoutMs,
      onConnectFailure: on.has('connect-failure'),
      onReset: on.has('reset'),
      onTimeout: on.has('timeout'),
      statuses: new Set([502, 503, 504].filter((s) => on.has(String(s) as '502'))),
    }
    if (config.outlierDetection !== undefined) {
      this.#outlier = new OutlierDetector(config.outlierDetection, this.endpoints, (e, untilMs) => {
        this.#logger.warn({ cluster: this.name, endpoint: e.url, ejectedUntil: new Date(untilMs).toISOString(), ejections: e.ejectionsTotal }, 'endpoint ejected')
      })
    }
    const hc = config.healthCheck
    if (hc !== undefined) {
      for (const e of this.endpoints) {
        this.#health.push(
          new HealthChecker(hc, e, (endpoint, isHealthy) => {
            this.#logger.info({ cluster: this.name, endpoint: endpoint.url, healthy: isHealthy }, 'endpoint health changed')
          }),
        )
      }
    }
  }

  start(): void {
    for (const h of this.#health) h.start()
  }

  /** Picks an endpoint and reserves a slot on it, or returns the error to answer with. */
  acquire(exclude: Endpoint | undefined): Endpoint | WasmgateError {
    const endpoint = this.#lb.pick(this.endpoints, Date.now(), exclude)
    if (endpoint === undefined) return new WasmgateError('WG_ERR_UPSTREAM_UNHEALTHY', [this.name])
    const overflow = this.breaker.admit(endpoint)
    if (overflow !== undefined) return new WasmgateError('WG_ERR_UPSTREAM_OVERFLOW', [this.name, overflow])
    endpoint.requestsTotal++
    return endpoint
  }

  /** Returns the slot; `status` is the upstream status, or 0 when the attempt failed in transport. */
  release(endpoint: Endpoint, status: number): void {
    this.breaker.release(endpoint)
    const failed = status === 0 || status >= 500
    if (failed) endpoint.failuresTotal++
    this.#outlier?.record(endpoint, failed, Date.now())
  }

  /** Is a failure of this kind (or this upstream status) retried by the policy? */
  shouldRetry(kind: FailureKind | number): boolean {
    if (typeof kind === 'number') return this.retry.statuses.has(kind)
    if (kind === 'connect-failure') return this.retry.onConnectFailure
    if (kind === 'reset') return this.retry.onReset
    return this.retry.onTimeout
  }

  async close(graceful: boolean): Promise<void> {
    for (const h of this.#health) h.close()
    await Promise.all(this.endpoints.map((e) => (graceful ? e.close() : e.destroy())))
  }
}
