import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { startGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'
import { deferred } from '../helpers/wait.ts'

async function get(url: string) {
  const res = await request(url)
  const text = await res.body.text()
  return { status: res.statusCode, text, code: text.startsWith('{') ? (JSON.parse(text) as { code?: string }).code : undefined }
}

describe('active health checks', () => {
  it('ejects an endpoint failing its checks and brings it back when they pass', async () => {
    let aHealthy = true
    const a = await startUpstream((req, res) => {
      if (req.url === '/health') return void res.writeHead(aHealthy ? 200 : 500).end()
      res.writeHead(200).end('a')
    })
    const b = await startUpstream((_req, res) => void res.writeHead(200).end('b'))
    const gw = await startGateway({
      clusters: [{ name: 'c', endpoints: [a.url, b.url], healthCheck: { path: '/health', intervalMs: 20, timeoutMs: 1000, healthyThreshold: 2, unhealthyThreshold: 2 } }],
      routes: [{ match: {}, cluster: 'c' }],
    })
    aHealthy = false
    await gw.waitForLog((r) => r.msg === 'endpoint health changed' && r.endpoint === a.url && r.healthy === false)
    const seen = new Set<string>()
    for (let i = 0; i < 6; i++) seen.add((await get(gw.url)).text)
    expect([...seen]).toEqual(['b'])
    const clusters = (await (await request(`${gw.adminUrl}/clusters`)).body.json()) as { clusters: { endpoints: { url: string; healthy: boolean }[] }[] }
    expect(clusters.clusters[0]?.endpoints.map((e) => e.healthy)).toEqual([false, true])
    aHealthy = true
    await gw.waitForLog((r) => r.msg === 'endpoint health changed' && r.endpoint === a.url && r.healthy === true)
    for (let i = 0; i < 6; i++) seen.add((await get(gw.url)).text)
    expect(seen.has('a')).toBe(true)
  })

  it('answers 503 when no endpoint is healthy', async () => {
    const a = await startUpstream((_req, res) => void res.writeHead(500).end())
    const gw = await startGateway({
      clusters: [{ name: 'c', endpoints: [a.url], healthCheck: { path: '/', intervalMs: 20, unhealthyThreshold: 1 } }],
      routes: [{ match: {}, cluster: 'c' }],
    })
    await gw.waitForLog((r) => r.msg === 'endpoint health changed' && r.healthy === false)
    const res = await get(gw.url)
    expect(res.status).toBe(503)
    expect(res.code).toBe('WG_ERR_UPSTREAM_UNHEALTHY')
    const stats = await (await request(`${gw.adminUrl}/stats/prometheus`)).body.text()
    expect(stats).toContain(`wasmgate_endpoint_healthy{cluster="c",endpoint="${a.url}"} 0`)
  })
})

describe('passive ejection (outlier detection)', () => {
  it('ejects an endpoint after consecutive 5xx', async () => {
    const bad = await startUpstream((_req, res) => void res.writeHead(500).end('bad'))
    const good = await startUpstream((_req, res) => void res.writeHead(200).end('good'))
    const gw = await startGateway({
      clusters: [{ name: 'c', endpoints: [bad.url, good.url], outlierDetection: { consecutive5xx: 3, baseEjectionMs: 60_000, maxEjectionPercent: 50 } }],
      routes: [{ match: {}, cluster: 'c' }],
    })
    while (bad.requests < 3) await get(gw.url)
    await gw.waitForLog((r) => r.msg === 'endpoint ejected' && r.endpoint === bad.url)
    for (let i = 0; i < 6; i++) expect((await get(gw.url)).text).toBe('good')
    expect(bad.requests).toBe(3)
  })
})

describe('circuit breaking', () => {
  it('answers 503 over maxRequests and serves again once a slot frees', async () => {
    const hold = deferred()
    const up = await startUpstream(async (_req, res) => {
      await hold.promise
      res.writeHead(200).end('done')
    })
    const gw = await startGateway({ clusters: [{ name: 'c', endpoints: [up.url], limits: { maxRequests: 1 } }], routes: [{ match: {}, cluster: 'c' }] })
    const first = get(gw.url)
    while (up.requests < 1) await new Promise((r) => setImmediate(r))
    const second = await get(gw.url)
    expect(second.status).toBe(503)
    expect(second.code).toBe('WG_ERR_UPSTREAM_OVERFLOW')
    hold.resolve()
    expect((await first).status).toBe(200)
    expect((await get(gw.url)).status).toBe(200)
    const stats = await (await request(`${gw.adminUrl}/stats/prometheus`)).body.text()
    expect(stats).toContain('wasmgate_upstream_overflow_total{cluster="c"} 1')
  })

  it('answers 503 when the pending queue is full', async () => {
    const hold = deferred()
    const up = await startUpstream(async (_req, res) => {
      await hold.promise
      res.writeHead(200).end('done')
    })
    const gw = await startGateway({
      clusters: [{ name: 'c', endpoints: [up.url], limits: { maxConnections: 1, maxPendingRequests: 1 } }],
      routes: [{ match: {}, cluster: 'c' }],
    })
    const running = get(gw.url)
    while (up.requests < 1) await new Promise((r) => setImmediate(r))
    const queued = get(gw.url)
    const refused = await get(gw.url)
    expect(refused.status).toBe(503)
    expect(refused.code).toBe('WG_ERR_UPSTREAM_OVERFLOW')
    hold.resolve()
    expect((await running).status).toBe(200)
    expect((await queued).status).toBe(200)
  })
})
