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
