// Metrics the proxy exports (Prometheus on the admin port). Define them in onVmStart or
// onConfigure (not at the top level: hosts refuse hostcalls while the module starts).
import { proxy_define_metric, proxy_get_metric, proxy_increment_metric, proxy_record_metric } from "./abi/imports"
import { MetricType } from "./abi/types"
import { expectOk } from "./runtime/abort"
import { OUT_EXTRA, encodeAt, scratchBase } from "./runtime/memory"

function define(type: MetricType, name: string): u32 {
  const n = encodeAt(name, 0)
  expectOk(proxy_define_metric(type, scratchBase(), n, OUT_EXTRA), "proxy_define_metric")
  return load<u32>(OUT_EXTRA)
}

function read(id: u32): u64 {
  expectOk(proxy_get_metric(id, OUT_EXTRA), "proxy_get_metric")
  return load<u64>(OUT_EXTRA)
}

/** A monotonically increasing count. */
export class Counter {
  readonly id: u32
  constructor(public readonly name: string) { this.id = define(MetricType.Counter, name) }
  increment(delta: u64 = 1): void { expectOk(proxy_increment_metric(this.id, <i64>delta), "proxy_increment_metric") }
  get(): u64 { return read(this.id) }
}

/** A value that goes up and down. */
export class Gauge {
  readonly id: u32
  constructor(public readonly name: string) { this.id = define(MetricType.Gauge, name) }
  set(value: u64): void { expectOk(proxy_record_metric(this.id, value), "proxy_record_metric") }
  add(delta: i64): void { expectOk(proxy_increment_metric(this.id, delta), "proxy_increment_metric") }
  get(): u64 { return read(this.id) }
}

/** A distribution of observed values (latencies, sizes). */
export class Histogram {
  readonly id: u32
  constructor(public readonly name: string) { this.id = define(MetricType.Histogram, name) }
  record(value: u64): void { expectOk(proxy_record_metric(this.id, value), "proxy_record_metric") }
}
