/**
 * @module
 * The admin routes every gateway has: liveness, readiness, Prometheus stats, the effective
 * config and the clusters with their endpoints' health and counters.
 */
import type { Registry } from 'prom-client'
import type { GatewayConfig } from '../config/schema.ts'
import type { Cluster } from '../server/cluster.ts'
import { sendJson, type AdminRouter } from './server.ts'

export interface CoreRoutesDeps {
  /** The config in effect now (a reload replaces it). */
  readonly config: () => GatewayConfig
  readonly registry: Registry
  readonly clusters: () => Iterable<Cluster>
  /** False while starting and once draining. */
  readonly isReady: () => boolean
}

export function registerCoreRoutes(router: AdminRouter, deps: CoreRoutesDeps): void {
  router.addRoute('GET', '/live', (_req, res) => sendJson(res, 200, { status: 'live', pid: process.pid, rssBytes: process.memoryUsage.rss() }))

  router.addRoute('GET', '/ready', (_req, res) => {
    const ready = deps.isReady()
    sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready' })
  })

  router.addRoute('GET', '/stats/prometheus', async (_req, res) => {
    const text = await deps.registry.metrics()
    res.writeHead(200, { 'content-type': deps.registry.contentType, 'content-length': Buffer.byteLength(text) })
    res.end(text)
  })

  router.addRoute('GET', '/config_dump', (_req, res) => sendJson(res, 200, deps.config()))

  router.addRoute('GET', '/clusters', (_req, res) => {
    const now = Date.now()
    const clusters = [...deps.clusters()].map((c) => ({
      name: c.name,
      lb: c.config.lb,
      inflight: c.breaker.inflight,
      pending: c.breaker.pending,
      overflowsTotal: c.breaker.overflowsTotal,
      retriesTotal: c.retriesTotal,
      endpoints: c.endpoints.map((e) => ({
        url: e.url,
        healthy: e.isHealthy,
        ejected: e.isEjected(now),
        available: e.isAvailable(now),
        inflight: e.inflight,
        connections: e.connections,
        requestsTotal: e.requestsTotal,
        failuresTotal: e.failuresTotal,
        ejectionsTotal: e.ejectionsTotal,
      })),
    }))
    sendJson(res, 200, { clusters })
  })
}
