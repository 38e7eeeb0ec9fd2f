// telemetry in the real proxy: metrics at /stats/prometheus, access log lines in the proxy's log,
// trace context to a real upstream, and spans exported to a real OTLP/HTTP receiver on loopback.
import { createHash } from 'node:crypto'
import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { filterGateway, refusedGateway } from '../helpers/filter-gateway.ts'
import { filterDir, useFilterBuild } from '../helpers/filter-harness.ts'
import { startGateway } from '../helpers/gateway.ts'
import { attr, startOtlpReceiver } from '../helpers/otlp.ts'
import { startUpstream, type EchoBody } from '../helpers/upstream.ts'
import { waitFor } from '../helpers/wait.ts'

const telemetry = useFilterBuild(filterDir('telemetry'))
const auth = useFilterBuild(filterDir('auth'))

describe('telemetry in the proxy', () => {
  it('exports spans to an OTLP receiver, propagates trace context, shows metrics and logs each request', async () => {
    const upstream = await startUpstream((req, res, body) => {
      const status = req.url?.startsWith('/fail') ? 502 : 200
      const text = JSON.stringify({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: body.toString() } satisfies EchoBody)
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text)
    })
    const otlp = await startOtlpReceiver()
    const gw = await startGateway({
      clusters: [
        { name: 'backend', endpoints: [upstream.url] },
        { name: 'otel', endpoints: [otlp.url] },
      ],
      filters: [{ name: 'telemetry', source: telemetry.wasm, config: { tracing: { cluster: 'otel', flushIntervalMs: 20, serviceName: 'gateway-test' } } }],
      routes: [
        { name: 'api', match: { prefix: '/api' }, cluster: 'backend', filters: ['telemetry'] },
        { name: 'rest', match: { prefix: '/' }, cluster: 'backend', filters: ['telemetry'] },
      ],
    })
    const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
    const a = await request(`${gw.url}/api/items?page=2`, { headers: { traceparent: parent } })
    const seenA = (await a.body.json()) as EchoBody
    const b = await request(`${gw.url}/fail/now`, { method: 'POST', body: 'payload' })
    const seenB = (await b.body.json()) as EchoBody
    expect(b.statusCode).toBe(502)

    // Trace context reached the upstream: the same trace, our span as the parent.
    const tpA = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(String(seenA.headers.traceparent))
    expect(tpA?.[1]).toBe('0af7651916cd43dd8448eb211c80319c')
    expect(tpA?.[2]).not.toBe('b7ad6b7169203331')
    expect(String(seenB.headers.traceparent)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
    expect(seenB.headers['x-request-id']).toBeTruthy()

    // The receiver got well-formed OTLP with both server spans.
    await waitFor(() => otlp.spans.length >= 2, 'two spans at the OTLP receiver')
    expect(otlp.errors).toEqual([])
    expect(otlp.exports.every((e) => e.path === '/v1/traces' && e.contentType === 'application/json' && e.resource['service.name'] === 'gateway-test')).toBe(true)
    const spanA = otlp.spans.find((s) => attr(s, 'url.path') === '/api/items')
    const spanB = otlp.spans.find((s) => attr(s, 'url.path') === '/fail/now')
    expect(spanA).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', parentSpanId: 'b7ad6b7169203331', spanId: tpA?.[2], name: 'GET api', kind: 2 })
    expect(attr(spanA!, 'http.response.status_code')).toBe('200')
    expect(spanB).toMatchObject({ name: 'POST rest', status: { code: 2 } })
    expect(attr(spanB!, 'http.request.body.size')).toBe('7')
    expect(attr(spanB!, 'wasmgate.request_id')).toBe(seenB.headers['x-request-id'])

    // Metrics by route and status class on the admin port.
    const stats = await (await request(`${gw.adminUrl}/stats/prometheus`)).body.text()
    expect(stats).toContain('wasmcustom_http_requests_total{route="api",class="2xx"} 1')
    expect(stats).toContain('wasmcustom_http_requests_total{route="rest",class="5xx"} 1')
    expect(stats).toMatch(/wasmcustom_http_request_duration_ms_count\{route="api"\} 1/)
    expect(stats).toMatch(/wasmcustom_http_request_bytes_sum\{route="rest"\} 7/)
    await waitFor(async () => /wasmcustom_http_spans_exported_total 2/.test(await (await request(`${gw.adminUrl}/stats/prometheus`)).body.text()), 'exported counter at 2')

    // One access log line per request, through proxy_log.
    const lines = gw.logs.filter((r) => r.source === 'guest' && String(r.msg).startsWith('{"start_time"')).map((r) => JSON.parse(String(r.msg)) as Record<string, unknown>)
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatchObject({ method: 'GET', path: '/api/items?page=2', status: 200, route: 'api', trace_id: '0af7651916cd43dd8448eb211c80319c' })
    expect(lines[1]).toMatchObject({ method: 'POST', path: '/fail/now', status: 502, route: 'rest', request_bytes: 7, request_id: seenB.headers['x-request-id'] })
    expect(lines[1]?.response_bytes).toBe(Buffer.byteLength(JSON.stringify(seenB)))
  })

  it.each([['telemetry first', ['telemetry', 'auth']], ['telemetry after auth', ['auth', 'telemetry']]])('records requests another filter answers (%s)', async (_what, chain) => {
    const upstream = await startUpstream()
    const gw = await filterGateway({
      name: 'telemetry',
      source: telemetry.wasm,
      config: { accessLog: { fields: ['method', 'path', 'status', 'route'] } },
      upstream: upstream.url,
      extraFilters: [{ name: 'auth', source: auth.wasm, config: { apiKeys: { header: 'x-api-key', keys: [{ name: 'k', sha256: createHash('sha256').update('secret').digest('hex') }] } } }],
      routes: [{ name: 'guarded', match: { prefix: '/' }, cluster: 'backend', filters: chain }],
    })
    const denied = await request(`${gw.url}/private`)
    await denied.body.text()
    expect(denied.statusCode).toBe(401)
    const allowed = await request(`${gw.url}/private`, { headers: { 'x-api-key': 'secret' } })
    await allowed.body.text()
    expect(allowed.statusCode).toBe(200)
    await waitFor(() => gw.logs.filter((r) => r.source === 'guest' && String(r.msg).startsWith('{"method"')).length === 2, 'two access log lines')
    const lines = gw.logs.filter((r) => r.source === 'guest' && String(r.msg).startsWith('{"method"')).map((r) => JSON.parse(String(r.msg)) as Record<string, unknown>)
    expect(lines).toEqual([{ method: 'GET', path: '/private', status: 401, route: 'guarded' }, { method: 'GET', path: '/private', status: 200, route: 'guarded' }])
    const stats = await (await request(`${gw.adminUrl}/stats/prometheus`)).body.text()
    expect(stats).toContain('wasmcustom_http_requests_total{route="guarded",class="4xx"} 1')
    expect(stats).toContain('wasmcustom_http_requests_total{route="guarded",class="2xx"} 1')
  })

  it('writes no access log lines when the proxy logs above info, and still counts', async () => {
    const upstream = await startUpstream()
    const gw = await filterGateway(
      { name: 'telemetry', source: telemetry.wasm, config: {}, upstream: upstream.url, routes: [{ name: 'quiet', match: { prefix: '/' }, cluster: 'backend', filters: ['telemetry'] }] },
      { log: { level: 'warn' } },
      { logLevel: 'warn' },
    )
    const res = await request(`${gw.url}/x`)
    await res.body.text()
    await waitFor(async () => (await (await request(`${gw.adminUrl}/stats/prometheus`)).body.text()).includes('wasmcustom_http_requests_total{route="quiet",class="2xx"} 1'), 'the request counted')
    expect(gw.logs.filter((r) => r.source === 'guest')).toEqual([])
  })

  it('refuses to start with a bad config, and the log names the wrong field', async () => {
    const refusal = await refusedGateway({ name: 'telemetry', source: telemetry.wasm, config: { accessLog: { fields: ['method', 'bogus'] } }, upstream: 'http://127.0.0.1:9' })
    expect(refusal.code).toBe('WG_ERR_FILTER_CONFIGURE_FAILED')
    expect(refusal.logs.some((r) => String(r.msg).startsWith("invalid configuration: accessLog.fields: [1]: unknown field 'bogus'"))).toBe(true)
  })
})
