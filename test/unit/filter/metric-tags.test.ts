// Tags in filter metric names (Istio's `base;.;key=.=value;.;` convention) become Prometheus labels.
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { MetricType, Status } from '../../../host/abi/constants.ts'
import { FilterMetrics } from '../../../host/filter/filter-metrics.ts'
import { parseTaggedName } from '../../../host/filter/metric-tags.ts'

describe('parseTaggedName', () => {
  it('splits the base name from its tags, in order', () => {
    expect(parseTaggedName('http_requests;.;route=.=users;.;class=.=2xx;.;')).toEqual({ base: 'http_requests', keys: ['route', 'class'], values: { route: 'users', class: '2xx' } })
    expect(parseTaggedName('x;.;k=.=')).toEqual({ base: 'x', keys: ['k'], values: { k: '' } })
  })

  it('leaves plain names and malformed tags alone', () => {
    for (const name of ['plain_name', 'a=.=b', ';.;k=.=v', 'x;.;bad key=.=v', 'x;.;k=.=1;.;k=.=2', 'x;.;novalue;.;', 'x;.;__k=.=v']) expect(parseTaggedName(name)).toBeUndefined()
  })
})

describe('FilterMetrics with tags', () => {
  it('gives each combination its own id and one labelled Prometheus metric', async () => {
    const registry = new Registry()
    const m = new FilterMetrics(registry)
    const a = m.define(MetricType.Counter, 'reqs;.;route=.=a;.;class=.=2xx;.;')
    const b = m.define(MetricType.Counter, 'reqs;.;route=.=b;.;class=.=5xx;.;')
    expect(a).toBeGreaterThan(0)
    expect(b).not.toBe(a)
    expect(m.define(MetricType.Counter, 'reqs;.;route=.=a;.;class=.=2xx;.;')).toBe(a)
    expect(m.increment(a, 3n)).toBe(Status.Ok)
    expect(m.increment(b, 1n)).toBe(Status.Ok)
    expect(m.get(a)).toBe(3n)
    const text = await registry.metrics()
    expect(text).toContain('wasmcustom_reqs{route="a",class="2xx"} 3')
    expect(text).toContain('wasmcustom_reqs{route="b",class="5xx"} 1')
  })

  it('refuses a combination whose type or tag keys differ from the first one', () => {
    const m = new FilterMetrics(new Registry())
    expect(m.define(MetricType.Counter, 'r;.;k=.=1;.;')).toBeGreaterThan(0)
    expect(m.define(MetricType.Gauge, 'r;.;k=.=2;.;')).toBe(-Status.BadArgument)
    expect(m.define(MetricType.Counter, 'r;.;other=.=2;.;')).toBe(-Status.BadArgument)
    expect(m.define(MetricType.Counter, 'r')).toBe(-Status.BadArgument)
  })

  it('uses Envoy-style buckets for histograms (integers in ms or bytes)', async () => {
    const registry = new Registry()
    const m = new FilterMetrics(registry)
    const h = m.define(MetricType.Histogram, 'latency_ms;.;route=.=a;.;')
    m.record(h, 7n)
    const text = await registry.metrics()
    expect(text).toContain('wasmcustom_latency_ms_bucket{le="5",route="a"} 0')
    expect(text).toContain('wasmcustom_latency_ms_bucket{le="10",route="a"} 1')
    expect(text).toContain('wasmcustom_latency_ms_bucket{le="+Inf",route="a"} 1')
    expect(text).toContain('wasmcustom_latency_ms_sum{route="a"} 7')
    expect(text).toContain('wasmcustom_latency_ms_count{route="a"} 1')
  })

  it('keeps plain histograms, counters and gauges as before, in Prometheus text', async () => {
    const registry = new Registry()
    const m = new FilterMetrics(registry)
    const h = m.define(MetricType.Histogram, 'sizes')
    for (const v of [0n, 1n, 3000n, 9999999n]) m.record(h, v)
    const c = m.define(MetricType.Counter, 'hits')
    m.increment(c, 2n)
    const g = m.define(MetricType.Gauge, 'level')
    m.record(g, 5n)
    const text = await registry.metrics()
    expect(text).toContain('# TYPE wasmcustom_sizes histogram')
    expect(text).toContain('wasmcustom_sizes_bucket{le="0.5"} 1')
    expect(text).toContain('wasmcustom_sizes_bucket{le="1"} 2')
    expect(text).toContain('wasmcustom_sizes_bucket{le="5000"} 3')
    expect(text).toContain('wasmcustom_sizes_bucket{le="3600000"} 3')
    expect(text).toContain('wasmcustom_sizes_bucket{le="+Inf"} 4')
    expect(text).toContain('wasmcustom_sizes_sum 10003000')
    expect(text).toContain('wasmcustom_sizes_count 4')
    expect(text).toContain('wasmcustom_hits 2')
    expect(text).toContain('wasmcustom_level 5')
  })

  it('reads tagged gauges at scrape time', async () => {
    const registry = new Registry()
    const m = new FilterMetrics(registry)
    const a = m.define(MetricType.Gauge, 'queue;.;name=.=a;.;')
    m.record(a, 3n)
    m.increment(a, 4n)
    expect(await registry.metrics()).toContain('wasmcustom_queue{name="a"} 7')
    m.record(a, 1n)
    expect(await registry.metrics()).toContain('wasmcustom_queue{name="a"} 1')
  })
})
