// The auth filter in the real proxy: real sockets, a real JWKS server and a real external
// authorization service on loopback, tokens signed with node:crypto.
import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { filterGateway, refusedGateway } from '../helpers/filter-gateway.ts'
import { filterDir, useFilterBuild } from '../helpers/filter-harness.ts'
import type { TestGateway } from '../helpers/gateway.ts'
import { ecKey, nowS, rsaKey, sha256Hex, signJwt, type SigningKey } from '../helpers/jwt-tokens.ts'
import { startUpstream, type EchoBody, type Upstream } from '../helpers/upstream.ts'

const auth = useFilterBuild(filterDir('auth'))

interface Setup {
  gw: TestGateway
  backend: Upstream
  idp: Upstream
  authz: Upstream
  served: { keys: SigningKey[] }
}

/** Backend echo, a JWKS server serving `served.keys`, an authz service, and the gateway. */
async function setup(authConfig: (s: { idp: string; authz: string }) => Record<string, unknown>): Promise<Setup> {
  const served = { keys: [] as SigningKey[] }
  const backend = await startUpstream()
  const idp = await startUpstream((req, res) => {
    if (req.url !== '/.well-known/jwks.json') return void res.writeHead(404).end()
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: served.keys.map((k) => k.jwk) }))
  })
  // Allows tenant "good" (and names the user), refuses everything else with its own body.
  const authz = await startUpstream((req, res) => {
    if (req.headers['x-tenant'] === 'good') return void res.writeHead(200, { 'x-auth-user': `checked:${req.method} ${req.url}` }).end()
    if (req.headers['x-tenant'] === 'crash') return void res.writeHead(500).end('boom')
    res.writeHead(403, { 'content-type': 'text/plain' }).end(`tenant ${String(req.headers['x-tenant'])} may not`)
  })
  const gw = await filterGateway({
    name: 'auth',
    source: auth.wasm,
    config: authConfig({ idp: 'idp', authz: 'authz' }),
    upstream: backend.url,
    extraClusters: [{ name: 'idp', endpoints: [idp.url] }, { name: 'authz', endpoints: [authz.url] }],
  })
  return { gw, backend, idp, authz, served }
}

async function get(gw: TestGateway, path: string, headers: Record<string, string> = {}, method = 'GET', body?: string) {
  const res = await request(`${gw.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) })
  const text = await res.body.text()
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> }
}

describe('auth filter in the proxy', () => {
  it('verifies RS256 and ES256 tokens against a JWKS fetched from a real server, and refuses others', async () => {
    const rs = rsaKey('rs-1')
    const es = ecKey('es-1')
    const s = await setup(({ idp }) => ({
      jwt: { jwks: { cluster: idp, path: '/.well-known/jwks.json' }, issuers: ['https://idp.test'], claimsToHeaders: [{ claim: 'sub', header: 'x-user' }], strip: true },
      rules: [{ prefix: '/health', public: true }],
    }))
    s.served.keys = [rs, es]
    const claims = { iss: 'https://idp.test', sub: 'ada', exp: nowS() + 60 }
    for (const key of [rs, es]) {
      const ok = await get(s.gw, '/orders', { authorization: `Bearer ${signJwt(key, claims)}`, 'x-user': 'mallory' })
      expect(ok.status, key.alg).toBe(200)
      const seen = JSON.parse(ok.text) as EchoBody
      expect(seen.headers['x-user']).toBe('ada')
      expect(seen.headers.authorization).toBeUndefined()
    }
    const before = s.backend.requests
    const none = await get(s.gw, '/orders')
    expect(none.status).toBe(401)
    expect(none.headers['www-authenticate']).toBe('Bearer realm="wasmgate"')
    expect(none.json()).toMatchObject({ error: 'unauthorized', reason: 'missing credentials' })
    expect(typeof none.json().requestId).toBe('string')
    const wrongIss = await get(s.gw, '/orders', { authorization: `Bearer ${signJwt(rs, { ...claims, iss: 'https://evil.test' })}` })
    expect(wrongIss.status).toBe(401)
    expect(s.backend.requests).toBe(before)
    const logged = await s.gw.waitForLog((r) => r.source === 'guest' && String(r.msg).includes('issuer not allowed'))
    expect(String(logged.msg)).toMatch(/^auth: denied 401 GET \/orders: issuer not allowed \(request /)
    expect((await get(s.gw, '/health')).status).toBe(200)
    expect(s.idp.requests).toBe(1)
  })

  it('holds concurrent requests until the first JWKS arrives, then decides each', async () => {
    const key = rsaKey('late')
    let release: () => void = () => {}
    const released = new Promise<void>((r) => (release = r))
    const backend = await startUpstream()
    const idp = await startUpstream(async (_req, res) => {
      await released
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [key.jwk] }))
    })
    const gw = await filterGateway({ name: 'auth', source: auth.wasm, config: { jwt: { jwks: { cluster: 'idp', path: '/jwks' } } }, upstream: backend.url, extraClusters: [{ name: 'idp', endpoints: [idp.url] }] })
    const good = signJwt(key, { exp: nowS() + 60 })
    const expired = signJwt(key, { exp: nowS() - 3600 })
    const pending = [good, good, expired, good, expired].map((t, i) => get(gw, `/r${i}`, { authorization: `Bearer ${t}` }, 'POST', `body-${i}`))
    const waits = (): number => gw.logs.filter((r) => r.msg === 'auth: request waits for the first JWKS').length
    await gw.waitForLog((r) => r.msg === 'auth: request waits for the first JWKS' && waits() >= 5)
    expect(backend.requests).toBe(0)
    release()
    const results = await Promise.all(pending)
    expect(results.map((r) => r.status)).toEqual([200, 200, 401, 200, 401])
    expect((JSON.parse(results[3]!.text) as EchoBody).body).toBe('body-3')
    expect(backend.requests).toBe(3)
  })

  it('picks up rotated keys from the JWKS on the refresh tick', async () => {
    const first = rsaKey('k1')
    const second = rsaKey('k2')
    const s = await setup(({ idp }) => ({ jwt: { jwks: { cluster: idp, path: '/.well-known/jwks.json', refreshIntervalMs: 50 } } }))
    s.served.keys = [first]
    const token2 = signJwt(second, { exp: nowS() + 60 })
    expect((await get(s.gw, '/', { authorization: `Bearer ${signJwt(first, { exp: nowS() + 60 })}` })).status).toBe(200)
    expect((await get(s.gw, '/', { authorization: `Bearer ${token2}` })).status).toBe(401)
    s.served.keys = [first, second]
    await s.gw.waitForLog((r) => r.source === 'guest' && r.msg === 'auth: loaded 2 JWKS keys')
    expect((await get(s.gw, '/', { authorization: `Bearer ${token2}` })).status).toBe(200)
  })

  it('asks a real authorization service: allows with its headers, passes its denial, fails closed', async () => {
    const s = await setup(({ authz }) => ({
      extAuthz: { cluster: authz, pathPrefix: '/check', headers: ['x-tenant'], upstreamHeaders: ['x-auth-user'], timeoutMs: 2000 },
      rules: [{ prefix: '/public', public: true }],
    }))
    const ok = await get(s.gw, '/orders?id=1', { 'x-tenant': 'good', 'x-auth-user': 'forged' }, 'POST', 'order body')
    expect(ok.status).toBe(200)
    const seen = JSON.parse(ok.text) as EchoBody
    expect(seen.headers['x-auth-user']).toBe('checked:POST /check/orders?id=1')
    expect(seen.body).toBe('order body')
    const denied = await get(s.gw, '/orders', { 'x-tenant': 'bad' }, 'POST', 'never sent')
    expect(denied.status).toBe(403)
    expect(denied.text).toBe('tenant bad may not')
    expect(denied.headers['content-type']).toBe('text/plain')
    const crashed = await get(s.gw, '/orders', { 'x-tenant': 'crash' })
    expect(crashed.status).toBe(503)
    expect(crashed.json()).toMatchObject({ error: 'unavailable' })
    expect(s.backend.requests).toBe(1)
    await s.authz.close()
    const down = await get(s.gw, '/orders', { 'x-tenant': 'good' })
    expect(down.status).toBe(503)
    expect((await get(s.gw, '/public/x')).status).toBe(200)
  })

  it('admits API keys from a query parameter and strips them before the upstream', async () => {
    const s = await setup(() => ({ apiKeys: { query: 'key', keys: [{ name: 'mobile', sha256: sha256Hex('m-123') }], consumerHeader: 'x-consumer', strip: true } }))
    const ok = await get(s.gw, '/items?key=m-123&page=2')
    expect(ok.status).toBe(200)
    const seen = JSON.parse(ok.text) as EchoBody
    expect(seen.path).toBe('/items?page=2')
    expect(seen.headers['x-consumer']).toBe('mobile')
    const bad = await get(s.gw, '/items?key=guess')
    expect(bad.status).toBe(401)
    expect(bad.headers['www-authenticate']).toBe('ApiKey realm="wasmgate"')
  })

  it('a hot reload with a new config takes effect; a bad one is refused and the old one keeps serving', async () => {
    const s = await setup(() => ({ apiKeys: { keys: [{ name: 'one', sha256: sha256Hex('key-1') }] } }))
    const put = async (config: unknown) => {
      const res = await request(`${s.gw.adminUrl}/filters/auth`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ source: auth.wasm, config }) })
      return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> }
    }
    expect((await get(s.gw, '/', { 'x-api-key': 'key-1' })).status).toBe(200)
    const bad = await put({ apiKeys: { keys: [{ name: 'two', sha256: 'not-hex' }] } })
    expect(bad).toMatchObject({ status: 422, body: { code: 'WG_ERR_FILTER_CONFIGURE_FAILED' } })
    await s.gw.waitForLog((r) => r.source === 'guest' && r.msg === 'invalid configuration: apiKeys.keys[0].sha256: must be 64 hex digits (the SHA-256 of the key) (got "not-hex")')
    expect((await get(s.gw, '/', { 'x-api-key': 'key-1' })).status).toBe(200)
    expect((await put({ apiKeys: { keys: [{ name: 'two', sha256: sha256Hex('key-2') }] } })).status).toBe(200)
    expect((await get(s.gw, '/', { 'x-api-key': 'key-2' })).status).toBe(200)
    expect((await get(s.gw, '/', { 'x-api-key': 'key-1' })).status).toBe(401)
  })

  it('refuses to start with a bad config, and the log names the wrong field', async () => {
    const backend = await startUpstream()
    const refusal = await refusedGateway({ name: 'auth', source: auth.wasm, config: { jwt: { keys: [{ secret: 's' }], clockSkewSeconds: 'lots' } }, upstream: backend.url }, { logLevel: 'info' })
    expect(refusal.code).toBe('WG_ERR_FILTER_CONFIGURE_FAILED')
    expect(refusal.guestLines).toContain('invalid configuration: jwt.clockSkewSeconds: expected an integer (got "lots")')
  })
})
