/**
 * @module
 * The gateway's host metrics on its prom-client Registry. The per-request series (requests by
 * status class, the latency histogram) are plain numbers in a RouteStats per route × cluster,
 * handed to prom-client only when /stats/prometheus is scraped: a prom-client label child
 * re-validates and re-hashes its labels on every `inc`/`observe` (about 2 µs per request, see
 * bench/micro/server/gateway-metrics.bench.ts), plain counters cost well under 0.1 µs.
 * Gauges about endpoints are computed at scrape time too.
 */
import { Counter, Gauge, type Registry } from 'prom-client'
import type { Cluster } from './cluster.ts'

const statusClasses = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const
/** Upper bounds in seconds (the +Inf bucket is implicit). */
const latencyBounds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** What one route × cluster pair records into; get one from GatewayMetrics.routeStats. */
export class RouteStats {
  readonly route: string
  readonly cluster: string
  readonly byClass = new Float64Array(statusClasses.length)
  /** Non-cumulative counts per bound; the last slot is +Inf. */
  readonly buckets = new Float64Array(latencyBounds.length + 1)
  count = 0
  sumSeconds = 0

  constructor(_metrics: GatewayMetrics | undefined, route: string, cluster: string) {
    this.route = route
    this.cluster = cluster
  }

  record(status: number, durationSeconds: number): void {
    const c = (status / 100) | 0
    this.byClass[c < 1 ? 0 : c > 5 ? 4 : c - 1]! += 1
    let i = 0
    while (i < latencyBounds.length && durationSeconds > latencyBounds[i]!) i++
    this.buckets[i]! += 1
    this.count++
    this.sumSeconds += durationSeconds
  }
}

interface SampleValue {
  value: number
  labels: Record<string, string | number>
  sharedLabels?: Record<string, string>
  metricName?: string
}

/**
 * A histogram prom-client's Registry can serve, read from RouteStats at scrape time. It prints
 * exactly what prom-client's Histogram printed for the same observations (series appear once a
 * route has seen a request).
 */
class RouteLatencyHistogram {
  readonly name = 'wasmgate_request_duration_seconds'
  readonly help = 'Time from request received to response finished'
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  readonly #stats: () => Iterable<RouteStats>

  constructor(stats: () => Iterable<RouteStats>) {
    this.#stats = stats
  }

  getForPromString(): { name: string; help: string; type: string; values: SampleValue[]; aggregator: string } {
    const values: SampleValue[] = []
    for (const s of this.#stats()) {
      if (s.count === 0) continue
      const shared = { route: s.route, cluster: s.cluster }
      let acc = 0
      for (let i = 0; i < latencyBounds.length; i++) {
        acc += s.buckets[i]!
        values.push({ metricName: `${this.name}_bucket`, labels: { le: latencyBounds[i]! }, sharedLabels: shared, value: acc })
      }
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf' }, sharedLabels: shared, value: s.count })
      values.push({ metricName: `${this.name}_sum`, labels: {}, sharedLabels: shared, value: s.sumSeconds })
      values.push({ metricName: `${this.name}_count`, labels: {}, sharedLabels: shared, value: s.count })
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator }
  }

  /** The JSON form (`registry.getMetricsAsJSON()`): shared labels merged in. */
  get(): ReturnType<RouteLatencyHistogram['getForPromString']> {
    const data = this.getForPromString()
    data.values = data.values.map(({ sharedLabels, ...v }) => ({ ...v, labels: { ...v.labels, ...sharedLabels } }))
    return data
  }

  reset(): void {
    for (const s of this.#stats()) {
      s.buckets.fill(0)
      s.count = 0
      s.sumSeconds = 0
    }
  }
}

export class GatewayMetrics {
  readonly requests: Counter<string>
  readonly retries: Counter<string>
  readonly overflows: Counter<string>
  readonly downstreamConnections: Gauge<string>
  /** One RouteStats per route × cluster, kept across config reloads (the series continue). */
  readonly #routeStats = new Map<string, RouteStats>()

  constructor(registry: Registry, clusters: () => Iterable<Cluster>) {
    const registers = [registry]
    const routeStats = () => this.#routeStats.values()
    this.requests = new Counter({
      name: 'wasmgate_requests_total',
      help: 'Downstream requests by route, cluster and status class',
      labelNames: ['route', 'cluster', 'status_class'],
      registers,
      collect() {
        this.reset()
        for (const s of routeStats()) {
          s.byClass.forEach((n, i) => {
            if (n > 0) this.labels(s.route, s.cluster, statusClasses[i]!).inc(n)
          })
        }
      },
    })
    registry.registerMetric(new RouteLatencyHistogram(routeStats) as unknown as Parameters<Registry['registerMetric']>[0])
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

  /** The stats of a route × cluster pair (the same object for the same names, also after a reload). */
  routeStats(route: string, cluster: string): RouteStats {
    const key = `${route}\u0000${cluster}`
    let stats = this.#routeStats.get(key)
    if (stats === undefined) {
      stats = new RouteStats(this, route, cluster)
      this.#routeStats.set(key, stats)
    }
    return stats
  }
}
