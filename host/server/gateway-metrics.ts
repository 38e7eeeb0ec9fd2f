/**
 * @module
 * The gateway's host metrics on its prom-client Registry. Per-request work is two increments
 * on label children resolved once per route (never a label lookup per request); gauges about
 * endpoints are computed only when /stats/prometheus is scraped.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { Cluster } from './cluster.ts'

const statusClasses = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const

/** The children one route × cluster pair records into. */
export class RouteStats {
  readonly #byClass: ReturnType<Counter<string>['labels']>[]
  readonly #latency: ReturnType<Histogram<string>['labels']>

  constructor(metrics: GatewayMetrics, route: string, cluster: string) {
    this.#byClass = statusClasses.map((c) => metrics.requests.labels(route, cluster, c))
    this.#latency = metrics.latency.labels(route, cluster)
  }

  record(status: number, durationSeconds: number): void {
    const i = Math.min(Math.max(Math.floor(status / 100) - 1, 0), 4)
    ;(this.#byClass[i] as { inc(): void }).inc()
    this.#latency.observe(durationSeconds)
  }
}

export class GatewayMetrics {
  readonly requests: Counter<string>
  readonly latency: Histogram<string>
  readonly retries: Counter<string>
  readonly overflows: Counter<string>
  readonly downstreamConnections: Gauge<string>

  constructor(registry: Registry, clusters: () => Iterable<Cluster>) {
    const registers = [registry]
    this.requests = new Counter({
      name: 'wasmgate_requests_total',
      help: 'Downstream requests by route, cluster and status class',
      labelNames: ['route', 'cluster', 'status_class'],
      registers,
    })
    this.latency = new Histogram({
      name: 'wasmgate_request_duration_seconds',
      help: 'Time from request received to response finished',
      labelNames: ['route', 'cluster'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    })
    this.retries = new Counter({ name: 'wasmgate_upstream_retries_total', help: 'Upstream attempts retried', labelNames: ['cluster'], registers })
    this.overflows = new Counter({ name: 'wasmgate_upstream_overflow_total', help: 'Requests refused by circuit breaking', labelNames: ['cluster'], registers })
    this.downstreamConnections = new Gauge({ name: 'wasmgate_downstream_connections', help: 'Open client connections', registers })
    const perEndpoint = (name: string, help: string, value: (c: Cluster, i: number) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['cluster', 'endpoint'],
        registers,
        collect() {
          this.reset()
          for (const c of clusters()) c.endpoints.forEach((e, i) => this.labels(c.name, e.url).set(value(c, i)))
        },
      })
    perEndpoint('wasmgate_upstream_connections', 'Open connections to each endpoint', (c, i) => c.endpoints[i]?.connections ?? 0)
    perEndpoint('wasmgate_upstream_requests_active', 'Requests in flight to each endpoint', (c, i) => c.endpoints[i]?.inflight ?? 0)
    perEndpoint('wasmgate_endpoint_healthy', '1 when the endpoint may be picked (healthy and not ejected)', (c, i) => (c.endpoints[i]?.isAvailable(Date.now()) ? 1 : 0))
    perEndpoint('wasmgate_upstream_requests_total', 'Attempts sent to each endpoint', (c, i) => c.endpoints[i]?.requestsTotal ?? 0)
    perEndpoint('wasmgate_upstream_failures_total', 'Attempts that failed (transport error or 5xx)', (c, i) => c.endpoints[i]?.failuresTotal ?? 0)
    perEndpoint('wasmgate_outlier_ejections_total', 'Times each endpoint was ejected', (c, i) => c.endpoints[i]?.ejectionsTotal ?? 0)
  }
}
