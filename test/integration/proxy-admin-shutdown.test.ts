import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { startGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'
import { deferred } from '../helpers/wait.ts'

describe('admin', () => {
  it('serves live, ready, config_dump, clusters and Prometheus stats', async () => {
    const up = await startUpstream()
    const gw = await startGateway({ clusters: [{ name: 'c', endpoints: [up.url] }], routes: [{ name: 'all', match: {}, cluster: 'c' }] })
    await (await request(`${gw.url}/x`)).body.text()
    await (await request(`${gw.url}/y`)).body.text()
    expect((await request(`${gw.adminUrl}/live`)).statusCode).toBe(200)
    const ready = await request(`${gw.adminUrl}/ready`)
    expect(ready.statusCode).toBe(200)
    expect(await ready.body.json()).toEqual({ status: 'ready' })
    const dump = (await (await request(`${gw.adminUrl}/config_dump`)).body.json()) as { clusters: { name: string; lb: string }[] }
    expect(dump.clusters[0]).toMatchObject({ name: 'c', lb: 'round_robin' })
    const clusters = (await (await request(`${gw.adminUrl}/clusters`)).body.json()) as { clusters: { endpoints: Record<string, unknown>[] }[] }
    expect(clusters.clusters[0]?.endpoints[0]).toMatchObject({ url: up.url, healthy: true, requestsTotal: 2, connections: 1 })
    const stats = await (await request(`${gw.adminUrl}/stats/prometheus`)).body.text()
    expect(stats).toContain('wasmgate_requests_total{route="all",cluster="c",status_class="2xx"} 2')
    expect(stats).toContain('wasmgate_request_duration_seconds_count{route="all",cluster="c"} 2')
    expect(stats).toContain(`wasmgate_upstream_connections{cluster="c",endpoint="${up.url}"} 1`)
    expect(stats).toContain(`wasmgate_endpoint_healthy{cluster="c",endpoint="${up.url}"} 1`)
    const missing = await request(`${gw.adminUrl}/nope`)
    expect(missing.statusCode).toBe(404)
    expect(((await missing.body.json()) as { code: string }).code).toBe('WG_ERR_ADMIN_NOT_FOUND')
  })

  it('lets other layers register admin routes', async () => {
    const gw = await startGateway({})
    gw.admin.addRoute('GET', '/extra/*', (_req, res, params) => void res.end(params.rest))
    expect(await (await request(`${gw.adminUrl}/extra/a%20b`)).body.text()).toBe('a b')
  })
})

describe('graceful shutdown', () => {
  it('lets a slow in-flight request finish, then stops accepting', async () => {
    const hold = deferred()
    const up = await startUpstream(async (_req, res) => {
      await hold.promise
      res.writeHead(200).end('slow done')
    })
    const gw = await startGateway({ clusters: [{ name: 'c', endpoints: [up.url] }], routes: [{ match: {}, cluster: 'c' }], shutdown: { drainTimeoutMs: 30_000 } })
    const inflight = request(gw.url)
    while (up.requests < 1) await new Promise((r) => setImmediate(r))
    const closed = gw.close()
    const ready = await request(`${gw.adminUrl}/ready`)
    expect(ready.statusCode).toBe(503)
    await ready.body.text()
    await expect(request(gw.url, { headersTimeout: 5000 })).rejects.toMatchObject({ code: 'ECONNREFUSED' })
    hold.resolve()
    const res = await inflight
    expect(res.statusCode).toBe(200)
    expect(res.headers.connection).toBe('close')
    expect(await res.body.text()).toBe('slow done')
    await closed
    await gw.waitForLog((r) => r.msg === 'gateway closed')
  })

  it('closes remaining connections after shutdown.drainTimeoutMs', async () => {
    const hold = deferred()
    const up = await startUpstream(async (_req, res) => {
      await hold.promise
      res.end()
    })
    const gw = await startGateway({ clusters: [{ name: 'c', endpoints: [up.url] }], routes: [{ match: {}, cluster: 'c' }], shutdown: { drainTimeoutMs: 50 } })
    const inflight = request(gw.url).catch((err: unknown) => err)
    while (up.requests < 1) await new Promise((r) => setImmediate(r))
    await gw.close()
    expect(await inflight).toBeInstanceOf(Error)
    await gw.waitForLog((r) => r.msg === 'drain deadline passed; closing remaining connections')
    hold.resolve()
  })
})
