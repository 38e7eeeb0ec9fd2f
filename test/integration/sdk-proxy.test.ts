// SDK-built filters in the real proxy: real sockets, a real upstream, a real callout cluster.
import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { filterGateway } from '../helpers/filter-gateway.ts'
import { filterDir, useFilterBuild } from '../helpers/filter-harness.ts'
import { startUpstream, type EchoBody } from '../helpers/upstream.ts'

const addHeader = useFilterBuild(filterDir('add-header'))
const features = useFilterBuild(filterDir('sdk-features', 'fixture'))

describe('SDK filters in the proxy', () => {
  it('add-header adds its header on the way up and on the way down', async () => {
    const upstream = await startUpstream()
    const gw = await filterGateway({ name: 'add-header', source: addHeader.wasm, config: { name: 'x-hello', value: 'world' }, upstream: upstream.url })
    const res = await request(`${gw.url}/greet`)
    const seen = (await res.body.json()) as EchoBody
    expect(res.statusCode).toBe(200)
    expect(seen.headers['x-hello']).toBe('world')
    expect(res.headers['x-hello']).toBe('world')
  })

  it('a callout to a real cluster resumes the request; a local reply never reaches the upstream', async () => {
    const upstream = await startUpstream()
    const auth = await startUpstream((req, res) => {
      res.writeHead(200, { 'x-answer': 'from-auth' }).end(`ok:${String(req.headers['x-from'])}`)
    })
    const gw = await filterGateway({ name: 'features', source: features.wasm, config: { tag: 'proxy', cluster: 'auth' }, upstream: upstream.url, extraClusters: [{ name: 'auth', endpoints: [auth.url] }] })
    const called = await request(`${gw.url}/x`, { headers: { 'x-sdk-action': 'callout' } })
    const seen = (await called.body.json()) as EchoBody
    expect(seen.headers['x-sdk-callout']).toBe('ok:proxy')
    expect(seen.headers['x-sdk-callout-header']).toBe('from-auth')
    expect(auth.requests).toBe(1)

    const before = upstream.requests
    const denied = await request(`${gw.url}/x`, { headers: { 'x-sdk-action': 'local-reply' } })
    expect(denied.statusCode).toBe(403)
    expect(await denied.body.text()).toBe('denied by sdk')
    expect(upstream.requests).toBe(before)
  })

  it('rewrites a streamed request body and a response body', async () => {
    const upstream = await startUpstream()
    const gw = await filterGateway({ name: 'features', source: features.wasm, config: { tag: 't' }, upstream: upstream.url })
    const up = await request(`${gw.url}/b`, { method: 'POST', body: 'shout please', headers: { 'x-sdk-action': 'body-upper' } })
    expect(((await up.body.json()) as EchoBody).body).toBe('SHOUT PLEASE')
    const down = await request(`${gw.url}/b`, { headers: { 'x-sdk-action': 'response-body' } })
    expect((await down.body.text()).endsWith('|sdk')).toBe(true)
  })

  it('keeps the upstream content-length when a body callback leaves the body alone', async () => {
    const upstream = await startUpstream()
    const gw = await filterGateway({ name: 'features', source: features.wasm, config: { tag: 't' }, upstream: upstream.url })
    const res = await request(`${gw.url}/plain`)
    const text = await res.body.text()
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(text)))
    expect(res.headers['transfer-encoding']).toBeUndefined()
  })

  it('closes the connection after a response whose body a filter changed once its content-length was sent', async () => {
    const upstream = await startUpstream()
    const gw = await filterGateway({ name: 'features', source: features.wasm, config: { tag: 't' }, upstream: upstream.url })
    const res = await request(`${gw.url}/late`, { headers: { 'x-sdk-action': 'response-body-late' } })
    const declared = Number(res.headers['content-length'])
    // The client frames the response by the length it was told, and the connection ends with it.
    const text = await res.body.text()
    expect(Buffer.byteLength(text)).toBe(declared)
    await gw.waitForLog((r) => r.declared === declared && typeof r.msg === 'string' && r.msg.includes('after content-length was sent'))
    const next = await request(`${gw.url}/after`)
    expect(next.statusCode).toBe(200)
    await next.body.dump()
  })

  it('an SDK abort fails the request with 503 and the log carries the message and location', async () => {
    const upstream = await startUpstream()
    const gw = await filterGateway({ name: 'features', source: features.wasm, config: { tag: 't' }, upstream: upstream.url })
    const res = await request(`${gw.url}/t`, { headers: { 'x-sdk-action': 'trap' } })
    expect(res.statusCode).toBe(503)
    expect(((await res.body.json()) as { code: string }).code).toBe('WG_ERR_FILTER_TRAPPED')
    await gw.waitForLog((r) => typeof r.msg === 'string' && /^abort: sdk test trap at .*index\.ts:\d+:\d+$/.test(r.msg))
    const next = await request(`${gw.url}/t`)
    expect(next.statusCode).toBe(200)
    await next.body.dump()
  })
})
