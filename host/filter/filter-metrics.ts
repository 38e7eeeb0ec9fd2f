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
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import { MetricType, Status } from '../abi/constants.ts'
import { FILTER_HISTOGRAM_BUCKETS, parseTaggedName } from './metric-tags.ts'

/** What a value is written to: a metric, or one labelled child of it. */
interface Target {
  inc(v: number): void
  set(v: number): void
  observe(v: number): void
}

interface Family {
  readonly type: number
  readonly keys: string
  readonly prom: Counter | Gauge | Histogram
}

interface Entry {
  readonly id: number
  readonly type: number
  value: bigint
  readonly prom: Target
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
    const prom = this.#promFor(type, name)
    if (prom === undefined) return -Status.BadArgument
    const id = (this.#next++ << 2) | type
    const entry: Entry = { id, type, value: 0n, prom }
    this.#byName.set(name, entry)
    this.#byId.set(id, entry)
    return id
  }

  #promFor(type: number, name: string): Target | undefined {
    const tagged = parseTaggedName(name)
    const promName = promMetricName(tagged?.base ?? name)
    if (tagged === undefined) {
      if (this.#registry.getSingleMetric(promName) !== undefined) return undefined
      return this.#create(type, promName, name, []) as unknown as Target
    }
    // Every name with this base shares one metric, so the type and tag keys must agree.
    const keys = tagged.keys.join(',')
    let family = this.#families.get(promName)
    if (family === undefined) {
      if (this.#registry.getSingleMetric(promName) !== undefined) return undefined
      family = { type, keys, prom: this.#create(type, promName, tagged.base, tagged.keys) }
      this.#families.set(promName, family)
    }
    if (family.type !== type || family.keys !== keys) return undefined
    return (family.prom as Counter).labels(tagged.values) as unknown as Target
  }

  #create(type: number, promName: string, name: string, labelNames: readonly string[]): Counter | Gauge | Histogram {
    const common = { name: promName, help: `filter-defined metric ${name}`, labelNames, registers: [this.#registry] }
    if (type === MetricType.Counter) return new Counter(common)
    if (type === MetricType.Gauge) return new Gauge(common)
    return new Histogram({ ...common, buckets: [...FILTER_HISTOGRAM_BUCKETS] })
  }

  increment(id: number, delta: bigint): Status {
    const e = this.#byId.get(id)
    if (e === undefined) return Status.NotFound
    if (e.type === MetricType.Histogram) return Status.BadArgument
    if (e.type === MetricType.Counter) {
      if (delta <= 0n) return Status.BadArgument
      e.value = BigInt.asUintN(64, e.value + delta)
      e.prom.inc(Number(delta))
    } else {
      e.value = BigInt.asUintN(64, e.value + delta)
      e.prom.set(Number(BigInt.asIntN(64, e.value)))
    }
    return Status.Ok
  }

  record(id: number, value: bigint): Status {
    const e = this.#byId.get(id)
    if (e === undefined) return Status.NotFound
    const v = BigInt.asUintN(64, value)
    if (e.type === MetricType.Counter) {
      e.value = BigInt.asUintN(64, e.value + v)
      if (v > 0n) e.prom.inc(Number(v))
    } else if (e.type === MetricType.Gauge) {
      e.value = v
      e.prom.set(Number(v))
    } else {
      e.prom.observe(Number(v))
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
