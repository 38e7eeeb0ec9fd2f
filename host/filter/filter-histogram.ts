/**
 * @module
 * A Prometheus histogram for filter metrics, registered in a prom-client Registry like any other
 * metric. prom-client's own labelled histogram hashes the label set on every observation
 * (~0.8 µs); filters record on every request, so each label set here is a Series the caller
 * keeps, and an observation is a bucket search and two additions.
 */
import type { Registry } from 'prom-client'

export class HistogramSeries {
  readonly labels: Readonly<Record<string, string>>
  readonly counts: Float64Array
  sum = 0
  count = 0
  readonly #bounds: readonly number[]

  constructor(labels: Readonly<Record<string, string>>, bounds: readonly number[]) {
    this.labels = labels
    this.#bounds = bounds
    this.counts = new Float64Array(bounds.length)
  }

  observe(value: number): void {
    const bounds = this.#bounds
    let i = 0
    while (i < bounds.length && value > (bounds[i] as number)) i++
    if (i < bounds.length) (this.counts[i] as number)++
    this.sum += value
    this.count++
  }
}

interface Value {
  value: number
  labels: Record<string, string | number>
  metricName: string
}

export class FilterHistogram {
  readonly name: string
  readonly help: string
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  readonly #bounds: readonly number[]
  readonly #series = new Map<string, HistogramSeries>()

  constructor(registry: Registry, name: string, help: string, bounds: readonly number[]) {
    this.name = name
    this.help = help
    this.#bounds = bounds
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0])
  }

  /** The series for one label set (the same object for equal label sets). */
  series(labels: Readonly<Record<string, string>>): HistogramSeries {
    const key = JSON.stringify(labels)
    let s = this.#series.get(key)
    if (s === undefined) {
      s = new HistogramSeries(labels, this.#bounds)
      this.#series.set(key, s)
    }
    return s
  }

  /** What prom-client's Registry formats: cumulative buckets, +Inf, _sum and _count per series. */
  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Value[] }> {
    const values: Value[] = []
    for (const s of this.#series.values()) {
      let cumulative = 0
      for (let i = 0; i < this.#bounds.length; i++) {
        cumulative += s.counts[i] as number
        values.push({ value: cumulative, labels: { le: this.#bounds[i] as number, ...s.labels }, metricName: `${this.name}_bucket` })
      }
      values.push({ value: s.count, labels: { le: '+Inf', ...s.labels }, metricName: `${this.name}_bucket` })
      values.push({ value: s.sum, labels: { ...s.labels }, metricName: `${this.name}_sum` })
      values.push({ value: s.count, labels: { ...s.labels }, metricName: `${this.name}_count` })
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values })
  }

  reset(): void {
    for (const s of this.#series.values()) {
      s.counts.fill(0)
      s.sum = 0
      s.count = 0
    }
  }
}
