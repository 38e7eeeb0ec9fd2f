import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { startGateway } from '../helpers/gateway.ts'
import { startUpstream, type EchoBody } from '../helpers/upstream.ts'

describe('proxy basics', () => {
  it('forwards a GET to the upstream and echoes x-request-id', async () => {
    const up = await startUpstream()
    const gw = await startGateway({ clusters: [{ name: 'b', endpoints: [up.url] }], routes: [{ match: { prefix: '/' }, cluster: 'b' }] })
    const res = await request(`${gw.url}/hello?x=1`, { headers: { 'x-custom': 'yes' } })
    const body = (await res.body.json()) as EchoBody
    expect(res.statusCode).toBe(200)
    expect(body.method).toBe('GET')
    expect(body.path).toBe('/hello?x=1')
    expect(body.headers['x-custom']).toBe('yes')
    expect(body.headers['x-forwarded-for']).toBe('127.0.0.1')
    expect(body.headers['x-forwarded-proto']).toBe('http')
    expect(body.headers['x-forwarded-host']).toBe(new URL(gw.url).host)
    expect(body.headers['x-request-id']).toBe(res.headers['x-request-id'])
    const access = await gw.waitForLog((r) => r.type === 'access')
    expect(access).toMatchObject({ requestId: res.headers['x-request-id'], method: 'GET', path: '/hello?x=1', status: 200, upstream: up.url })
  })

  it('writes one complete access line per request, route and cluster included, at the logger level in effect', async () => {
    const up = await startUpstream()
    const gw = await startGateway({ clusters: [{ name: 'b', endpoints: [up.url] }], routes: [{ name: 'api', match: { prefix: '/api' }, cluster: 'b' }] })
    await (await request(`${gw.url}/api/one`)).body.dump()
    await (await request(`${gw.url}/nowhere`)).body.dump()
    const routed = await gw.waitForLog((r) => r.type === 'access' && r.path === '/api/one')
    expect(routed).toMatchObject({ level: 'info', name: 'wasmgate', route: 'api', cluster: 'b', method: 'GET', status: 200, bytesIn: 0, tries: 1, upstream: up.url })
    expect(Date.parse(String(routed.startTime))).toBeLessThanOrEqual(Date.parse(String(routed.time)))
    expect(typeof routed.durationMs).toBe('number')
    const missed = await gw.waitForLog((r) => r.type === 'access' && r.path === '/nowhere')
    expect(missed).toMatchObject({ status: 404, code: 'WG_ERR_REQUEST_NO_ROUTE' })
    expect(missed.route).toBeUndefined()
    // Raising the level at run time silences access lines (they are info).
    gw.logger.level = 'warn'
    await (await request(`${gw.url}/api/two`)).body.dump()
    gw.logger.level = 'info'
    await (await request(`${gw.url}/api/three`)).body.dump()
    await gw.waitForLog((r) => r.type === 'access' && r.path === '/api/three')
    expect(gw.accessLogs().map((r) => r.path)).toEqual(['/api/one', '/nowhere', '/api/three'])
  })

  it('streams a POST body and answers 404 for no route', async () => {
    const up = await startUpstream()
    const gw = await startGateway({ clusters: [{ name: 'b', endpoints: [up.url] }], routes: [{ match: { prefix: '/api' }, cluster: 'b' }] })
    const res = await request(`${gw.url}/api/x`, { method: 'POST', body: 'hello world' })
    const body = (await res.body.json()) as EchoBody
    expect(body.body).toBe('hello world')
    const miss = await request(`${gw.url}/other`)
    expect(miss.statusCode).toBe(404)
    const err = (await miss.body.json()) as { code: string; requestId: string }
    expect(err.code).toBe('WG_ERR_REQUEST_NO_ROUTE')
    expect(err.requestId).toBe(miss.headers['x-request-id'])
  })
})
