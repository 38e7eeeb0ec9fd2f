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
import { FilterHistogram } from './filter-histogram.ts'
import { FILTER_HISTOGRAM_BUCKETS, parseTaggedName } from './metric-tags.ts'

/**
 * Where a value goes on each call: a plain counter or gauge, or a histogram series. Tagged
 * counters and gauges have none: their family copies the entries' values at scrape time, since
 * prom-client hashes the label set on every labelled call.
 */
interface Target {
  inc(v: number): void
  set(v: number): void
  observe(v: number): void
}

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
  readonly prom: Target | undefined
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
      const prom = this.#create(type, promName, name, [], undefined)
      const target = prom instanceof FilterHistogram ? prom.series({}) : prom
      entry = { id, type, value: 0n, prom: target as unknown as Target, labels: undefined }
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
      entry = { id, type, value: 0n, prom: series as unknown as Target | undefined, labels: tagged.values }
      family.entries.push(entry)
    }
    this.#next++
    this.#byName.set(name, entry)
    this.#byId.set(id, entry)
    return id
  }

  #create(type: number, promName: string, name: string, labelNames: readonly string[], entries: Entry[] | undefined): Counter | Gauge | FilterHistogram {
    const help = `filter-defined metric ${name}`
    if (type === MetricType.Histogram) return new FilterHistogram(this.#registry, promName, help, FILTER_HISTOGRAM_BUCKETS)
    const common = { name: promName, help, labelNames, registers: [this.#registry] }
    if (entries === undefined) return type === MetricType.Counter ? new Counter(common) : new Gauge(common)
    // Tagged: copy each combination's value in when scraped.
    if (type === MetricType.Counter) {
      return new Counter({ ...common, collect(this: Counter) {
        this.reset()
        for (const e of entries) this.inc(e.labels as Record<string, string>, Number(e.value))
      } })
    }
    return new Gauge({ ...common, collect(this: Gauge) {
      this.reset()
      for (const e of entries) this.set(e.labels as Record<string, string>, Number(BigInt.asIntN(64, e.value)))
    } })
  }

  increment(id: number, delta: bigint): Status {
    const e = this.#byId.get(id)
    if (e === undefined) return Status.NotFound
    if (e.type === MetricType.Histogram) return Status.BadArgument
    if (e.type === MetricType.Counter) {
      if (delta <= 0n) return Status.BadArgument
      e.value = BigInt.asUintN(64, e.value + delta)
      e.prom?.inc(Number(delta))
    } else {
      e.value = BigInt.asUintN(64, e.value + delta)
      e.prom?.set(Number(BigInt.asIntN(64, e.value)))
    }
    return Status.Ok
  }

  record(id: number, value: bigint): Status {
    const e = this.#byId.get(id)
    if (e === undefined) return Status.NotFound
    const v = BigInt.asUintN(64, value)
    if (e.type === MetricType.Counter) {
      e.value = BigInt.asUintN(64, e.value + v)
      if (v > 0n) e.prom?.inc(Number(v))
    } else if (e.type === MetricType.Gauge) {
      e.value = v
      e.prom?.set(Number(v))
    } else {
      e.prom?.observe(Number(v))
    }
    return Status.Ok
  }

  get(id: number): bigint | Status {
    const e = this.#byId.get(id)
    if (e === undefined) return Status.NotFound
    if (e.type === MetricType.Histogram) return Status.BadArgument
    return e.value
  }
}
