// What the fast path pays per request for metrics (host/server/gateway-metrics.ts RouteStats:
// a prom-client counter child inc + histogram child observe), next to the same numbers kept in
// plain fields and handed to prom-client only when /stats/prometheus is scraped.
// Run: npx tsx bench/micro/server/gateway-metrics.bench.ts
import { bench, do_not_optimize, group, run } from 'mitata'
import { Registry } from 'prom-client'
import { GatewayMetrics, RouteStats } from '../../../host/server/gateway-metrics.ts'

const metrics = new GatewayMetrics(new Registry(), () => [])
const stats = new RouteStats(metrics, 'route-0', 'upstream')

// The alternative: counts in a typed array, bucket search over a small array, read at scrape.
const BOUNDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
class PlainRouteStats {
  readonly byClass = new Float64Array(5)
  readonly buckets = new Float64Array(BOUNDS.length + 1)
  sum = 0
  record(status: number, seconds: number): void {
    this.byClass[Math.min(Math.max(Math.floor(status / 100) - 1, 0), 4)]! += 1
    let i = 0
    while (i < BOUNDS.length && seconds > BOUNDS[i]!) i++
    this.buckets[i]! += 1
    this.sum += seconds
  }
}
const plain = new PlainRouteStats()

let t = 0
group('record one request', () => {
  bench('RouteStats.record (prom-client children)', () => {
    stats.record(200, (t = (t + 0.0007) % 0.02))
  })
  bench('plain counters, exported at scrape time', () => {
    plain.record(200, (t = (t + 0.0007) % 0.02))
    return do_not_optimize(plain)
  })
})

await run()
