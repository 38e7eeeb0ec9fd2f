import { Counter, Histogram, Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { GatewayMetrics } from '../../../host/server/gateway-metrics.ts'

const bounds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** The series as prom-client's own Counter and Histogram print them for the same observations. */
async function promClientText(observations: [string, string, number, number][]): Promise<string> {
  const registry = new Registry()
  const requests = new Counter({ name: 'wasmgate_requests_total', help: 'x', labelNames: ['route', 'cluster', 'status_class'], registers: [registry] })
  const latency = new Histogram({ name: 'wasmgate_request_duration_seconds', help: 'x', labelNames: ['route', 'cluster'], buckets: bounds, registers: [registry] })
  for (const [route, cluster, status, seconds] of observations) {
    requests.labels(route, cluster, `${Math.floor(status / 100)}xx`).inc()
    latency.labels(route, cluster).observe(seconds)
  }
  return registry.metrics()
}

function series(text: string, prefix: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(prefix))
    .sort()
}

describe('gateway metrics', () => {
  it('prints the same request and latency series as prom-client children would', async () => {
    const observations: [string, string, number, number][] = [
      ['api', 'b', 200, 0.0004],
      ['api', 'b', 204, 0.003],
      ['api', 'b', 503, 0.7],
      ['api', 'b', 404, 12],
      ['', '', 404, 0.0001],
      ['web', 'c', 302, 0.01],
    ]
    const registry = new Registry()
    const metrics = new GatewayMetrics(registry, () => [])
    for (const [route, cluster, status, seconds] of observations) metrics.routeStats(route, cluster).record(status, seconds)
    const ours = await registry.metrics()
    const theirs = await promClientText(observations)
    for (const prefix of ['wasmgate_requests_total{', 'wasmgate_request_duration_seconds_']) {
      expect(series(ours, prefix)).toEqual(series(theirs, prefix))
    }
    expect(ours).toContain('# TYPE wasmgate_request_duration_seconds histogram')
    expect(ours).toContain('wasmgate_request_duration_seconds_bucket{le="0.0005",route="api",cluster="b"} 1')
    const json = await registry.getMetricsAsJSON()
    const hist = json.find((m) => m.name === 'wasmgate_request_duration_seconds')
    expect(hist?.values).toContainEqual(expect.objectContaining({ metricName: 'wasmgate_request_duration_seconds_count', labels: { route: 'web', cluster: 'c' }, value: 1 }))
  })

  it('hands out one stats object per route and cluster, so a config reload continues the series', async () => {
    const registry = new Registry()
    const metrics = new GatewayMetrics(registry, () => [])
    metrics.routeStats('api', 'b').record(200, 0.001)
    expect(metrics.routeStats('api', 'b')).toBe(metrics.routeStats('api', 'b'))
    metrics.routeStats('api', 'b').record(200, 0.001)
    const text = await registry.metrics()
    expect(text).toContain('wasmgate_requests_total{route="api",cluster="b",status_class="2xx"} 2')
    expect(text).toContain('wasmgate_request_duration_seconds_count{route="api",cluster="b"} 2')
    expect(text).not.toContain('status_class="5xx"')
  })
})
