/**
 * @module
 * One upstream endpoint: its undici Pool (keep-alive connections, at most
 * `limits.maxConnections`), live counters, and the two health verdicts that decide whether the
 * load balancer may pick it: active health checks and passive outlier ejection.
 */
import { Pool } from 'undici'
import type { ClusterConfig } from '../config/schema.ts'

export class Endpoint {
  /** As configured, e.g. `http://127.0.0.1:3000`. */
  readonly url: string
  /** `host:port` as written in the URL; the default Host for health checks and callouts. */
  readonly authority: string
  readonly pool: Pool
  readonly maxConnections: number
  readonly connectTimeoutMs: number

  /** Requests dispatched and not yet finished. */
  inflight = 0
  requestsTotal = 0
  /** Attempts that ended in a connect failure, reset, timeout or 5xx. */
  failuresTotal = 0
  /** Active health check verdict; true until checks say otherwise. */
  isHealthy = true
  /** Passive ejection: not picked before this time (ms since epoch). */
  ejectedUntilMs = 0
  consecutive5xx = 0
  ejectionsTotal = 0

  constructor(url: string, cluster: ClusterConfig) {
    const parsed = new URL(url)
    this.url = url.replace(/\/$/, '')
    this.authority = parsed.host
    this.maxConnections = cluster.limits.maxConnections
    this.connectTimeoutMs = cluster.timeouts.connectMs
    this.pool = new Pool(parsed.origin, {
      connections: cluster.limits.maxConnections,
      pipelining: 1,
      connect: cluster.timeouts.connectMs > 0 ? { timeout: cluster.timeouts.connectMs } : {},
      // A cleared per-request timeout falls back to these; 0 disables undici's own.
      headersTimeout: 0,
      bodyTimeout: cluster.timeouts.idleMs,
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 600_000,
    })
  }

  isEjected(nowMs: number): boolean {
    return this.ejectedUntilMs > nowMs
  }

  /** May the load balancer pick this endpoint now? */
  isAvailable(nowMs: number): boolean {
    return this.isHealthy && this.ejectedUntilMs <= nowMs
  }

  /** Open connections to this endpoint (for metrics and /clusters). */
  get connections(): number {
    return this.pool.stats.connected
  }

  close(): Promise<void> {
    return this.pool.close().catch(() => undefined)
  }

  destroy(): Promise<void> {
    return this.pool.destroy().catch(() => undefined)
  }
}
