// telemetry through wasmgate/testing: the real filter in the real host runtime, in-process.
import { describe, expect, it } from 'vitest'
import type { LoadFilterOptions, TestFilter } from '../../../host/testing.ts'
import { filterDir, useFilter } from '../../helpers/filter-harness.ts'
import { attr, validateOtlpTraces, type OtlpSpan } from '../../helpers/otlp.ts'

const telemetry = useFilter(filterDir('telemetry'))
const load = telemetry.load

const statusFromPath: LoadFilterOptions['upstream'] = (req) => {
  const m = /\/status\/(\d+)/.exec(req.headers[':path'] ?? '')
  return { status: m ? Number(m[1]) : 200, headers: { 'content-type': 'text/plain' }, body: 'hello' }
}

const accessLines = (f: TestFilter) => f.filterLogs('info').filter((l) => l.startsWith('{') || l.includes('method='))

describe('telemetry: metrics', () => {
  it('counts requests by route and status class, and records duration and sizes', async () => {
    const f = await load({ config: {}, upstream: statusFromPath })
    await f.request({ path: '/status/200' })
    await f.request({ path: '/status/201', method: 'POST', body: 'abcdef' })
    await f.request({ path: '/status/404' })
    await f.request({ path: '/status/503' })
    const text = await f.metricsText()
    expect(text).toContain('wasmcustom_http_requests_total{route="test",class="2xx"} 2')
    expect(text).toContain('wasmcustom_http_requests_total{route="test",class="4xx"} 1')
    expect(text).toContain('wasmcustom_http_requests_total{route="test",class="5xx"} 1')
    expect(text).toMatch(/wasmcustom_http_request_duration_ms_count\{route="test"\} 4/)
    expect(text).toMatch(/wasmcustom_http_request_bytes_sum\{route="test"\} 6/)
    expect(text).toMatch(/wasmcustom_http_response_bytes_sum\{route="test"\} 20/)
  })

  it('can be turned off, or take another prefix', async () => {
    const off = await load({ name: 'tel-off', config: { metrics: { enabled: false } } })
    await off.request({})
    expect(await off.metricsText()).not.toContain('requests_total')
    const other = await load({ name: 'tel-prefix', config: { metrics: { prefix: 'edge' } } })
    await other.request({})
    expect(await other.metricsText()).toContain('wasmcustom_edge_requests_total{route="test",class="2xx"} 1')
  })
})

describe('telemetry: access log', () => {
  it('writes one JSON line per request with the default fields', async () => {
    const f = await load({ config: {}, upstream: statusFromPath })
    await f.request({ path: '/status/404?x="q"', headers: { 'user-agent': 'tester/1', 'x-request-id': 'rid-7' } })
    const lines = accessLines(f)
    expect(lines).toHaveLength(1)
    const rec = JSON.parse(lines[0] as string) as Record<string, unknown>
    expect(Object.keys(rec)).toEqual(['start_time', 'method', 'path', 'status', 'duration_ms', 'request_bytes', 'response_bytes', 'client_address', 'route', 'request_id', 'trace_id', 'user_agent'])
    expect(rec).toMatchObject({ method: 'GET', path: '/status/404?x="q"', status: 404, request_bytes: 0, response_bytes: 5, client_address: '127.0.0.1:40000', route: 'test', request_id: 'rid-7', user_agent: 'tester/1' })
    expect(typeof rec.duration_ms).toBe('number')
    expect(rec.trace_id).toMatch(/^[0-9a-f]{32}$/)
    expect(Math.abs(Date.parse(rec.start_time as string) - Date.now())).toBeLessThan(60_000)
    expect(rec.start_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  })

  it('writes logfmt with the chosen fields, headers included', async () => {
    const f = await load({ config: { accessLog: { format: 'text', fields: ['method', 'status', 'req:X-User', 'resp:content-type', 'authority', 'span_id', 'referer'] } } })
    await f.request({ method: 'DELETE', authority: 'api.test', headers: { 'x-user': 'ann lee' } })
    expect(accessLines(f)).toHaveLength(1)
    expect(accessLines(f)[0]).toMatch(/^method=DELETE status=200 req_x-user="ann lee" resp_content-type=text\/plain authority=api\.test span_id=[0-9a-f]{16} referer=-$/)
  })
})

describe('telemetry: trace context', () => {
  const TP = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/

  it('starts a trace and a request id when the client sends none', async () => {
    const f = await load({ config: {} })
    const res = await f.request({})
    const tp = res.upstreamRequest?.headers.traceparent ?? ''
    expect(tp).toMatch(TP)
    expect(TP.exec(tp)?.[3]).toBe('01')
    expect(res.upstreamRequest?.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    const again = await f.request({})
    expect(TP.exec(again.upstreamRequest?.headers.traceparent ?? '')?.[1]).not.toBe(TP.exec(tp)?.[1])
  })

  it('continues a valid incoming trace with a new span, keeping its sampling flag and tracestate', async () => {
    const f = await load({ config: {} })
    const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00'
    const res = await f.request({ headers: { traceparent: incoming, tracestate: 'vendor=1', 'x-request-id': 'keep-me' } })
    const m = TP.exec(res.upstreamRequest?.headers.traceparent ?? '')
    expect(m?.[1]).toBe('4bf92f3577b34da6a3ce929d0e0e4736')
    expect(m?.[2]).not.toBe('00f067aa0ba902b7')
    expect(m?.[3]).toBe('00')
    expect(res.upstreamRequest?.headers.tracestate).toBe('vendor=1')
    expect(res.upstreamRequest?.headers['x-request-id']).toBe('keep-me')
  })

  it.each([
    '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
    '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
    'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra',
    'garbage',
  ])('restarts the trace on an invalid traceparent %s', async (incoming) => {
    const f = await load({ config: {} })
    const res = await f.request({ headers: { traceparent: incoming } })
    const m = TP.exec(res.upstreamRequest?.headers.traceparent ?? '')
    expect(m).not.toBeNull()
    expect(m?.[1]).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736')
  })

  it('accepts a future version with extra fields', async () => {
    const f = await load({ config: {} })
    const res = await f.request({ headers: { traceparent: '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-comes-next' } })
    expect(TP.exec(res.upstreamRequest?.headers.traceparent ?? '')?.[1]).toBe('4bf92f3577b34da6a3ce929d0e0e4736')
  })
})

describe('telemetry: span export', () => {
  const tracing = { cluster: 'otel', flushIntervalMs: 10, serviceName: 'edge', resource: { 'deployment.environment': 'test' } }

  it('exports sampled server spans in batches as OTLP/HTTP JSON', async () => {
    const bodies: unknown[] = []
    const f = await load({ config: { tracing: { ...tracing, maxBatchSize: 2 } }, upstream: statusFromPath, clusters: { otel: (call) => (bodies.push(JSON.parse(call.body)), { status: 200, body: '{}' }) } })
    const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
    await f.request({ path: '/status/200?a=1', authority: 'api.test', headers: { traceparent: parent, 'user-agent': 'ua/1' } })
    await f.request({ path: '/status/503', method: 'POST', body: 'xyz' })
    await f.request({ path: '/status/204', headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00' } }) // not sampled
    await f.request({ path: '/status/404' })
    await f.waitFor(async () => (await f.metric('http_spans_exported_total')) === 3, '3 spans exported')
    expect(f.httpCalls.every((c) => c.method === 'POST' && c.path === '/v1/traces' && c.authority === 'otel' && c.headers['content-type'] === 'application/json')).toBe(true)
    expect(f.httpCalls.length).toBeGreaterThanOrEqual(2) // batches of at most 2
    const spans: OtlpSpan[] = []
    for (const body of bodies) {
      const v = validateOtlpTraces(body)
      expect(v.resource).toEqual({ 'service.name': 'edge', 'deployment.environment': 'test' })
      expect(v.spans.length).toBeLessThanOrEqual(2)
      spans.push(...v.spans)
    }
    expect(spans).toHaveLength(3)
    const [first, second, third] = spans as [OtlpSpan, OtlpSpan, OtlpSpan]
    expect(first).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7', name: 'GET test', kind: 2 })
    expect(first.status).toBeUndefined()
    expect([attr(first, 'http.request.method'), attr(first, 'url.path'), attr(first, 'url.query'), attr(first, 'server.address'), attr(first, 'http.response.status_code'), attr(first, 'user_agent.original')]).toEqual(['GET', '/status/200', 'a=1', 'api.test', '200', 'ua/1'])
    expect(second.parentSpanId).toBeUndefined()
    expect(second.status).toEqual({ code: 2 })
    expect(attr(second, 'http.request.body.size')).toBe('3')
    expect(attr(third, 'http.response.status_code')).toBe('404')
  })

  it('samples nothing with sampleRatio 0, and says so upstream (flags 00)', async () => {
    const f = await load({ config: { tracing: { ...tracing, sampleRatio: 0 } }, clusters: { otel: () => ({ status: 200 }) } })
    for (let i = 0; i < 3; i++) {
      const res = await f.request({})
      expect(res.upstreamRequest?.headers.traceparent).toMatch(/-00$/)
    }
    // The one sampled request after them is exported alone: the three before never queued.
    await f.request({ headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } })
    await f.waitFor(async () => (await f.metric('http_spans_exported_total')) === 1, 'one span exported')
    expect(f.httpCalls).toHaveLength(1)
    expect(validateOtlpTraces(JSON.parse(f.httpCalls[0]?.body ?? '{}')).spans).toHaveLength(1)
  })

  it('drops a batch the collector refuses, counts it and logs why', async () => {
    const f = await load({ config: { tracing }, clusters: { otel: () => ({ status: 503, body: 'busy' }) } })
    await f.request({})
    await f.waitForLog(/span export to cluster 'otel' failed \(status 503\): 1 spans dropped/)
    expect(await f.metric('http_span_exports_failed_total')).toBe(1)
    expect(await f.metric('http_spans_dropped_total')).toBe(1)
  })

  it('drops spans past maxQueueSize while an export is in flight', async () => {
    const f = await load({ config: { tracing: { ...tracing, maxBatchSize: 1, maxQueueSize: 2 } }, clusters: { otel: true } })
    await f.request({})
    const call = await f.nextHttpCall()
    for (let i = 0; i < 4; i++) await f.request({})
    expect(await f.metric('http_spans_dropped_total')).toBe(2)
    call.respond({ status: 200 })
    await f.waitFor(async () => (await f.metric('http_spans_exported_total')) === 1, 'the first export acknowledged')
  })
})

describe('telemetry: bad configuration', () => {
  it.each([
    [{ accessLog: { fields: ['method', 'nope'] } }, /^invalid configuration: accessLog\.fields: \[1\]: unknown field 'nope'/],
    [{ accessLog: { format: 'xml' } }, /^invalid configuration: accessLog\.format: must be "json" or "text"/],
    [{ tracing: { sampleRatio: 2 } }, /^invalid configuration: tracing\.sampleRatio: must be between 0 and 1/],
    [{ tracing: { cluster: 'otel', maxBatchSize: 10, maxQueueSize: 5 } }, /^invalid configuration: tracing\.maxQueueSize: must be at least maxBatchSize/],
    [{ tracing: { flushIntervalMs: 100 } }, /^invalid configuration: tracing\.cluster: is required to export spans/],
    [{ metrics: { prefix: '9bad' } }, /^invalid configuration: metrics\.prefix: must be letters/],
    [{ metric: {} }, /^invalid configuration: metric: unknown field/],
  ])('refuses %j', async (config, line) => {
    const err = await telemetry.refusal({ config })
    expect(err.code).toBe('WG_ERR_FILTER_CONFIGURE_FAILED')
    expect(err.filterLogs.some((l) => line.test(l)), err.filterLogs.join('\n')).toBe(true)
  })
})
