/**
 * @module
 * Metrics filters define (proxy_define_metric & co), registered in the gateway's prom-client
 * Registry so /stats/prometheus shows them. Names get Envoy's custom-stat prefix `wasmcustom`
 * (`wasmcustom_<name>`, invalid characters as `_`). Ids step by 4 with the type in the low 2
 * bits (cpp-host kMetricTypeMask). A name is one metric for every filter and instance, as in
 * Envoy's stats store, so a reloaded instance keeps counting where the old one stopped.
 * A name may carry tags (`base;.;key=.=value;.;`, see metric-tags.ts): each combination is its own
 * metric to the filter and one labelled child of `wasmcustom_base` to Prometheus. Histograms use
 * Envoy's default buckets, since filters record integers (ms, bytes), not seconds.
 */
import { Counter, Gauge, type Registry } from 'prom-client'
import { MetricType, Status } from '../abi/constants.ts'
import { FilterHistogram, type HistogramSeries } from './filter-histogram.ts'
import { FILTER_HISTOGRAM_BUCKETS, parseTaggedName } from './metric-tags.ts'

/**
 * Counters and gauges live in their entries' `value` only: each prom-client metric copies them in
 * when scraped, since prom-client hashes labels (and validates) on every call, several hundred ns
 * a request. Histograms are a series the entry keeps (filter-histogram.ts).
 */
interface Family {
  readonly type: number
  readonly keys: string
  readonly prom: Counter | Gauge | FilterHistogram
  readonly entries: Entry[]
}

interface Entry {
  readonly id: number
  readonly type: number
  value: bigint
  readonly series: HistogramSeries | undefined
  readonly labels: Readonly<Record<string, string>> | undefined
}

export function promMetricName(name: string): string {
  return `wasmcustom_${name.replace(/[^a-zA-Z0-9_:]/g, '_')}`
}

export class FilterMetrics {
  readonly #registry: Registry
  readonly #byName = new Map<string, Entry>()
  readonly #byId = new Map<number, Entry>()
  readonly #families = new Map<string, Family>()
  #next = 1

  constructor(registry: Registry) {
    this.#registry = registry
  }

  /** Returns the id, or a negative Status. */
  define(type: number, name: string): number {
    const existing = this.#byName.get(name)
    if (existing !== undefined) return existing.type === type ? existing.id : -Status.BadArgument
    const tagged = parseTaggedName(name)
    const promName = promMetricName(tagged?.base ?? name)
    const id = this.#next << 2 | type
    let entry: Entry
    if (tagged === undefined) {
      if (this.#registry.getSingleMetric(promName) !== undefined) return -Status.BadArgument
      const entries: Entry[] = []
      const prom = this.#create(type, promName, name, [], entries)
      entry = { id, type, value: 0n, series: prom instanceof FilterHistogram ? prom.series({}) : undefined, labels: undefined }
      entries.push(entry)
    } else {
      // Every name with this base shares one metric, so the type and tag keys must agree.
      const keys = tagged.keys.join(',')
      let family = this.#families.get(promName)
      if (family === undefined) {
        if (this.#registry.getSingleMetric(promName) !== undefined) return -Status.BadArgument
        const entries: Entry[] = []
        family = { type, keys, prom: this.#create(type, promName, tagged.base, tagged.keys, entries), entries }
        this.#families.set(promName, family)
      }
      if (family.type !== type || family.keys !== keys) return -Status.BadArgument
      const series = family.prom instanceof FilterHistogram ? family.prom.series(tagged.values) : undefined
      entry = { id, type, value: 0n, series, labels: tagged.values }
      family.entries.push(entry)
    }
    this.#next++
    this.#byName.set(name, entry)
    this.#byId.set(id, entry)
    return id
  }

  #create(type: number, promName: string, name: string, labelNames: readonly string[], entries: readonly Entry[]): Counter | Gauge | FilterHistogram {
    const help = `filter-defined metric ${name}`
    if (type === MetricType.Histogram) return new FilterHistogram(this.#registry, promName, help, FILTER_HISTOGRAM_BUCKETS)
    const common = { name: promName, help, labelNames, registers: [this.#registry] }
    // Each entry's value copied in when scraped (an untagged metric has one entry, no labels).
    if (type === MetricType.Counter) {
      return new Counter({ ...common, collect(this: Counter) {
        this.reset()
        for (const e of entries) {
          if (e.labels === undefined) this.inc(Number(e.value))
          else this.inc(e.labels as Record<string, string>, Number(e.value))
        }
      } })
    }
    return new Gauge({ ...common, collect(this: Gauge) {
      this.reset()
      for (const e of entries) {
        const v = Number(BigInt.asIntN(64, e.value))
        if (e.labels === undefined) this.set(v)
        else this.set(e.labels as Record<string, string>, v)
      }
    } })
  }

  increment(id: number, delta: bigint): Status {
    const e = this.#byId.get(id)
    if (e === undefined) return Status.NotFound
    if (e.type === MetricType.Histogram) return Status.BadArgument
    if (e.type === MetricType.Counter && delta <= 0n) return Status.BadArgument
    e.value = BigInt.asUintN(64, e.value + delta)
    return Status.Ok
  }

  record(id: number, value: bigint): Status {
    const e = this.#byId.get(id)
    if (e === undefined) return Status.NotFound
    const v = BigInt.asUintN(64, value)
    if (e.type === MetricType.Counter) e.value = BigInt.asUintN(64, e.value + v)
    else if (e.type === MetricType.Gauge) e.value = v
    else e.series?.observe(Number(v))
    return Status.Ok
  }

  get(id: number): bigint | Status {
    const e = this.#byId.get(id)
    if (e === undefined) return Status.NotFound
    if (e.type === MetricType.Histogram) return Status.BadArgument
    return e.value
  }
}
