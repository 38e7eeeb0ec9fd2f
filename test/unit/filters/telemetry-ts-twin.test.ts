// The plain-TypeScript twin of telemetry (bench/peers/ts-filters/telemetry.ts) does the same work
// as the Wasm filter on the same config: same metric series, same access-log fields, same
// traceparent handling, so the bench compares equal work.
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { createTelemetry, type TelemetryRequest } from '../../../bench/peers/ts-filters/telemetry.ts'
import { filterDir, useFilter } from '../../helpers/filter-harness.ts'

const telemetry = useFilter(filterDir('telemetry'))

const requests = [
  { path: '/a?x=1', status: 200, headers: { 'user-agent': 'ua', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } },
  { path: '/b', status: 404, headers: { 'x-request-id': 'given' } },
  { path: '/c', status: 503, headers: {} },
]
const series = (text: string) => text.split('\n').filter((l) => /^wasmcustom_http_requests_total\{/.test(l) && !l.endsWith(' 0')).sort()
const stable = (line: Record<string, unknown>) => ({ method: line.method, path: line.path, status: line.status, route: line.route, user_agent: line.user_agent, request_bytes: line.request_bytes })

describe('telemetry TypeScript twin', () => {
  it('counts the same series, logs the same fields and propagates the same trace', async () => {
    const f = await telemetry.load({ config: {}, upstream: (req) => ({ status: Number(/\/b/.test(req.headers[':path'] ?? '') ? 404 : /\/c/.test(req.headers[':path'] ?? '') ? 503 : 200) }) })
    const wasmUp: Array<Record<string, string>> = []
    for (const r of requests) wasmUp.push((await f.request({ path: r.path, headers: r.headers })).upstreamRequest?.headers ?? {})
    const wasmText = await f.metricsText()
    const wasmLines = f.filterLogs('info').map((l) => JSON.parse(l) as Record<string, unknown>)

    const registry = new Registry()
    const lines: Array<Record<string, unknown>> = []
    const tel = createTelemetry({}, registry, (l) => lines.push(JSON.parse(l) as Record<string, unknown>), () => {})
    const twinUp: Array<Record<string, string>> = []
    for (const r of requests) {
      const headers: Record<string, string> = { ...r.headers }
      const req: TelemetryRequest = { method: 'GET', path: r.path, authority: 'example.test', scheme: 'http', sourceAddress: '127.0.0.1:40000', routeName: 'test', header: (n) => headers[n], setHeader: (n, v) => void (headers[n] = v) }
      const state = tel.onRequest(req)
      twinUp.push(headers)
      state.status = r.status
      tel.onEnd(state, { requestBytes: 0, responseBytes: 0 })
    }

    expect(series(await registry.metrics())).toEqual(series(wasmText))
    expect(lines.map((l) => Object.keys(l))).toEqual(wasmLines.map((l) => Object.keys(l)))
    expect(lines.map(stable)).toEqual(wasmLines.map(stable))
    for (let i = 0; i < requests.length; i++) {
      const given = requests[i]?.headers as Record<string, string | undefined>
      const [w, t] = [wasmUp[i] ?? {}, twinUp[i] ?? {}]
      expect(t.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/)
      expect(t.traceparent?.slice(-3)).toBe(w.traceparent?.slice(-3))
      // A continued trace keeps its id in both; a new one is random in both.
      if (given.traceparent !== undefined) expect(t.traceparent?.slice(0, 36)).toBe(w.traceparent?.slice(0, 36))
      if (given['x-request-id'] !== undefined) expect(t['x-request-id']).toBe(w['x-request-id'])
    }
  })
})
