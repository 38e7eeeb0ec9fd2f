/**
 * @module
 * Metrics filters define (proxy_define_metric & co), registered in the gateway's prom-client
 * Registry so /stats/prometheus shows them. Names get Envoy's custom-stat prefix `wasmcustom`
 * (`wasmcustom_<name>`, invalid characters as `_`). Ids step by 4 with the type in the low 2
 * bits (cpp-host kMetricTypeMask). A name is one metric for every filter and instance, as in
 * Envoy's stats store, so a reloaded instance keeps counting where the old one stopped.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import { MetricType, Status } from '../abi/constants.ts'

interface Entry {
  readonly id: number
  readonly type: number
  value: bigint
  readonly prom: Counter | Gauge | Histogram
}

export function promMetricName(name: string): string {
  return `wasmcustom_${name.replace(/[^a-zA-Z0-9_:]/g, '_')}`
}

export class FilterMetrics {
  readonly #registry: Registry
  readonly #byName = new Map<string, Entry>()
  readonly #byId = new Map<number, Entry>()
  #next = 1

  constructor(registry: Registry) {
    this.#registry = registry
  }

  /** Returns the id, or a negative Status. */
  define(type: number, name: string): number {
    const existing = this.#byName.get(name)
    if (existing !== undefined) return existing.type === type ? existing.id : -Status.BadArgument
    const promName = promMetricName(name)
    if (this.#registry.getSingleMetric(promName) !== undefined) return -Status.BadArgument
    const help = `filter-defined metric ${name}`
    const common = { name: promName, help, registers: [this.#registry] }
    const prom = type === MetricType.Counter ? new Counter(common) : type === MetricType.Gauge ? new Gauge(common) : new Histogram(common)
    const id = (this.#next++ << 2) | type
    const entry: Entry = { id, type, value: 0n, prom }
    this.#byName.set(name, entry)
    this.#byId.set(id, entry)
    return id
  }

  increment(id: number, delta: bigint): Status {
    const e = this.#byId.get(id)
    if (e === undefined) return Status.NotFound
    if (e.type === MetricType.Histogram) return Status.BadArgument
    if (e.type === MetricType.Counter) {
      if (delta <= 0n) return Status.BadArgument
      e.value = BigInt.asUintN(64, e.value + delta)
      ;(e.prom as Counter).inc(Number(delta))
    } else {
      e.value = BigInt.asUintN(64, e.value + delta)
      ;(e.prom as Gauge).set(Number(BigInt.asIntN(64, e.value)))
    }
    return Status.Ok
  }

  record(id: number, value: bigint): Status {
    const e = this.#byId.get(id)
    if (e === undefined) return Status.NotFound
    const v = BigInt.asUintN(64, value)
    if (e.type === MetricType.Counter) {
      e.value = BigInt.asUintN(64, e.value + v)
      if (v > 0n) (e.prom as Counter).inc(Number(v))
    } else if (e.type === MetricType.Gauge) {
      e.value = v
      ;(e.prom as Gauge).set(Number(v))
    } else {
      ;(e.prom as Histogram).observe(Number(v))
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
