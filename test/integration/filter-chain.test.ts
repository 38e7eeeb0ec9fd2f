import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { startGateway } from '../helpers/gateway.ts'
import { startUpstream, type EchoBody } from '../helpers/upstream.ts'
import { buildAbiHostFixture } from './filter-support.ts'

async function chainGateway(filters: Array<{ name: string; config: string; failurePolicy?: string }>) {
  const upstream = await startUpstream()
  const source = await buildAbiHostFixture('chain-filter')
  const gw = await startGateway({
    clusters: [{ name: 'backend', endpoints: [upstream.url] }],
    filters: filters.map((f) => ({ name: f.name, source, config: f.config, ...(f.failurePolicy ? { failurePolicy: f.failurePolicy } : {}) })),
    routes: [{ match: { prefix: '/' }, cluster: 'backend', filters: filters.map((f) => f.name) }],
  })
  return { gw, upstream }
}

describe('filter chain through the real gateway', () => {
  it('runs filters in order on requests and in reverse on responses; a paused request resumes from on_queue_ready', async () => {
    const { gw } = await chainGateway([
      { name: 'a', config: 'name=a;pause' },
      { name: 'b', config: 'name=b' },
    ])
    const res = await request(`${gw.url}/ordered`)
    expect(res.statusCode).toBe(200)
    const echoed = (await res.body.json()) as EchoBody
    expect(echoed.headers['x-order']).toBe('a, b')
    expect(res.headers['x-resp-order']).toEqual(['b', 'a'])
  })

  it('replaces a buffered request body and fixes content-length (paused on headers first, body delivered after resume)', async () => {
    const { gw } = await chainGateway([
      { name: 'a', config: 'name=a;pause' },
      { name: 'b', config: 'name=b;upper' },
    ])
    const res = await request(`${gw.url}/upper`, { method: 'POST', body: 'hello wasm', headers: { 'content-type': 'text/plain' } })
    expect(res.statusCode).toBe(200)
    const echoed = (await res.body.json()) as EchoBody
    expect(echoed.body).toBe('HELLO WASM!')
    expect(echoed.headers['content-length']).toBe(String('HELLO WASM!'.length))
  })

  it('buffers a body streamed in many chunks until the end, then passes the whole replacement', async () => {
    const { gw } = await chainGateway([{ name: 'u', config: 'name=u;upper' }])
    const chunk = 'abcdefghij'.repeat(1000)
    async function* body() {
      for (let i = 0; i < 20; i++) yield Buffer.from(chunk)
    }
    const res = await request(`${gw.url}/stream`, { method: 'POST', body: body() as unknown as string })
    expect(res.statusCode).toBe(200)
    const echoed = (await res.body.json()) as EchoBody
    expect(echoed.body.length).toBe(chunk.length * 20 + 1)
    expect(echoed.body.startsWith('ABCDEFGHIJ')).toBe(true)
    expect(echoed.body.endsWith('J!')).toBe(true)
  })

  it('runs a local reply through the response callbacks of the filters before the sender (Envoy), not the sender', async () => {
    const { gw, upstream } = await chainGateway([
      { name: 'a', config: 'name=a' },
      { name: 'b', config: 'name=b' },
      { name: 'c', config: 'name=c;reply' },
      { name: 'd', config: 'name=d' },
    ])
    const res = await request(`${gw.url}/denied`)
    expect(res.statusCode).toBe(401)
    expect(await res.body.text()).toBe('denied by c')
    expect(res.headers['x-replied-by']).toBe('c')
    expect(res.headers['x-resp-order']).toEqual(['b', 'a'])
    expect(res.headers['content-length']).toBe(String('denied by c'.length))
    expect(upstream.requests).toBe(0)
  })

  it('sends a local reply from the first filter straight to the client', async () => {
    const { gw } = await chainGateway([
      { name: 'first', config: 'name=first;reply' },
      { name: 'second', config: 'name=second' },
    ])
    const res = await request(`${gw.url}/denied`)
    expect(res.statusCode).toBe(401)
    expect(await res.body.text()).toBe('denied by first')
    expect(res.headers['x-resp-order']).toBeUndefined()
  })

  it('runs a gateway error (upstream down) through every filter\'s response callbacks, as Envoy does with router replies', async () => {
    const source = await buildAbiHostFixture('chain-filter')
    const gw = await startGateway({
      clusters: [{ name: 'dead', endpoints: ['http://127.0.0.1:1'] }],
      filters: [
        { name: 'a', source, config: 'name=a' },
        { name: 'b', source, config: 'name=b' },
      ],
      routes: [{ match: { prefix: '/' }, cluster: 'dead', filters: ['a', 'b'] }],
    })
    const res = await request(`${gw.url}/down`)
    expect(res.statusCode).toBe(502)
    expect(((await res.body.json()) as { code: string }).code).toBe('WG_ERR_UPSTREAM_CONNECT')
    expect(res.headers['x-resp-order']).toEqual(['b', 'a'])
    expect(res.headers['x-request-id']).toBeDefined()
  })

  it('shows metrics the filters define in /stats/prometheus', async () => {
    const { gw } = await chainGateway([{ name: 'm', config: 'name=m' }])
    for (let i = 0; i < 3; i++) {
      const res = await request(`${gw.url}/count`)
      await res.body.dump()
    }
    const stats = await request(`${gw.adminUrl}/stats/prometheus`)
    const text = await stats.body.text()
    expect(text).toMatch(/^wasmcustom_abi_host_m_requests 3$/m)
  })

  it('lists the loaded filters with sha256 and ABI version in GET /filters', async () => {
    const { gw } = await chainGateway([{ name: 'listed', config: 'name=listed' }])
    const res = await request(`${gw.adminUrl}/filters`)
    expect(res.statusCode).toBe(200)
    const text = await res.body.text()
    expect(text).toContain('listed')
    expect(text).toContain('0.2.1')
    expect(text).toMatch(/[0-9a-f]{64}/)
  })
})
