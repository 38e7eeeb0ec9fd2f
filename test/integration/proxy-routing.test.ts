import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { startGateway } from '../helpers/gateway.ts'
import { rawRequest } from '../helpers/raw-http.ts'
import { startUpstream, type EchoBody } from '../helpers/upstream.ts'

/** Each upstream answers with its own name so a test sees which route won. */
async function named(name: string) {
  return startUpstream((req, res) => {
    const text = JSON.stringify({ name, path: req.url, host: req.headers.host })
    res.writeHead(200, { 'content-type': 'application/json' }).end(text)
  })
}

async function get(url: string, headers: Record<string, string> = {}, method = 'GET') {
  const res = await request(url, { headers, method })
  const text = await res.body.text()
  return { status: res.statusCode, headers: res.headers, json: text.startsWith('{') ? (JSON.parse(text) as Record<string, string>) : {}, text }
}

describe('routing', () => {
  it('matches prefix, exact path, host wildcards, method and headers; first match wins', async () => {
    const [a, b, c, d, e, f] = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map(named))
    const gw = await startGateway({
      clusters: [a, b, c, d, e, f].map((u, i) => ({ name: 'abcdef'[i], endpoints: [u?.url] })),
      routes: [
        { match: { path: '/exact' }, cluster: 'a' },
        { match: { prefix: '/api', headers: [{ name: 'x-canary', value: '1' }] }, cluster: 'b' },
        { match: { prefix: '/api', method: ['POST', 'PUT'] }, cluster: 'c' },
        { match: { prefix: '/api' }, cluster: 'd' },
        { match: { host: '*.example.com' }, cluster: 'e' },
        { match: { prefix: '/', headers: [{ name: 'x-re', regex: '^v[0-9]+$' }] }, cluster: 'f' },
      ],
    })
    expect((await get(`${gw.url}/exact`)).json.name).toBe('a')
    expect((await get(`${gw.url}/exact?q=1`)).json.name).toBe('a')
    expect((await get(`${gw.url}/exact/more`)).status).toBe(404)
    expect((await get(`${gw.url}/api/x`, { 'x-canary': '1' })).json.name).toBe('b')
    expect((await get(`${gw.url}/api/x`, {}, 'POST')).json.name).toBe('c')
    expect((await get(`${gw.url}/api/x`)).json.name).toBe('d')
    expect((await get(`${gw.url}/other`, { host: 'shop.example.com:8080' })).json.name).toBe('e')
    expect((await get(`${gw.url}/other`, { host: 'a.b.Example.com' })).json.name).toBe('e')
    expect((await get(`${gw.url}/other`, { host: 'example.com' })).status).toBe(404)
    expect((await get(`${gw.url}/other`, { 'x-re': 'v12' })).json.name).toBe('f')
    const miss = await get(`${gw.url}/other`, { 'x-re': 'nope' })
    expect(miss.status).toBe(404)
    expect(miss.json.code).toBe('WG_ERR_REQUEST_NO_ROUTE')
  })

  it('rewrites the prefix and the host, keeping the query', async () => {
    const up = await startUpstream()
    const gw = await startGateway({
      clusters: [{ name: 'b', endpoints: [up.url] }],
      routes: [
        { match: { prefix: '/v1/' }, cluster: 'b', rewrite: { prefix: '/internal/', host: 'backend.local' } },
        { match: { prefix: '/strip' }, cluster: 'b', rewrite: { prefix: '' } },
      ],
    })
    const r1 = await get(`${gw.url}/v1/users?id=7`)
    const body1 = JSON.parse(r1.text) as EchoBody
    expect(body1.path).toBe('/internal/users?id=7')
    expect(body1.headers.host).toBe('backend.local')
    expect(body1.headers['x-forwarded-host']).toBe(new URL(gw.url).host)
    expect((JSON.parse((await get(`${gw.url}/strip?x=1`)).text) as EchoBody).path).toBe('/?x=1')
    expect((JSON.parse((await get(`${gw.url}/strip/deep`)).text) as EchoBody).path).toBe('/deep')
  })

  it('answers direct responses without an upstream', async () => {
    const gw = await startGateway({
      routes: [{ match: { path: '/healthz' }, directResponse: { status: 200, body: 'ok', headers: { 'x-direct': 'yes' } } }],
    })
    const res = await get(`${gw.url}/healthz`)
    expect(res.status).toBe(200)
    expect(res.text).toBe('ok')
    expect(res.headers['x-direct']).toBe('yes')
    expect(res.headers['x-request-id']).toBeDefined()
  })
})

describe('proxy headers', () => {
  it('drops hop-by-hop headers both ways, appends x-forwarded-for and via, keeps a client x-request-id', async () => {
    const up = await startUpstream((req, res) => {
      res.writeHead(200, { 'keep-alive': 'timeout=5', 'x-hop': 'secret', connection: 'x-hop', 'x-end': 'kept', via: '1.0 origin' })
      res.end(JSON.stringify(req.headers))
    })
    const gw = await startGateway({ clusters: [{ name: 'b', endpoints: [up.url] }], routes: [{ match: {}, cluster: 'b' }], proxyHeaders: { via: '1.1 wasmgate' } })
    const res = await rawRequest(
      gw.url,
      'GET / HTTP/1.1\r\nHost: h\r\nConnection: close, x-private\r\nX-Private: drop-me\r\nKeep-Alive: 5\r\nTE: trailers\r\n' +
        'Proxy-Connection: x\r\nX-Forwarded-For: 10.0.0.1\r\nX-Request-Id: client-id-1\r\n\r\n',
    )
    const seen = JSON.parse(res.body) as Record<string, string>
    expect(seen['x-private']).toBeUndefined()
    expect(seen['keep-alive']).toBeUndefined()
    expect(seen.te).toBeUndefined()
    expect(seen['proxy-connection']).toBeUndefined()
    expect(seen['x-forwarded-for']).toBe('10.0.0.1, 127.0.0.1')
    expect(seen['x-request-id']).toBe('client-id-1')
    expect(seen.via).toBe('1.1 wasmgate')
    expect(res.headers['x-request-id']).toBe('client-id-1')
    expect(res.headers['x-hop']).toBeUndefined()
    expect(res.headers['keep-alive']).toBeUndefined()
    expect(res.headers['x-end']).toBe('kept')
    expect(res.headers.via).toBe('1.0 origin, 1.1 wasmgate')
  })
})
