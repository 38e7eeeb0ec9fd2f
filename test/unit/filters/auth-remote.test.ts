// The auth filter's http calls through wasmgate/testing: a JWKS fetched from a cluster and
// refreshed on a tick, and external authorization. The test answers each call itself.
import { describe, expect, it } from 'vitest'
import type { LoadFilterOptions, TestFilter, TestResponse } from '../../../host/testing.ts'
import { filterDir, useFilter } from '../../helpers/filter-harness.ts'
import { ecKey, hmacKey, nowS, rsaKey, sha256Hex, signJwt } from '../../helpers/jwt-tokens.ts'

const auth = useFilter(filterDir('auth'), { name: 'auth' })
const load = (config: unknown, options: LoadFilterOptions = {}): Promise<TestFilter> => auth.load({ config, ...options })

const body = (res: TestResponse): Record<string, unknown> => JSON.parse(res.body) as Record<string, unknown>
const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })
const jwks = (...keys: Array<Record<string, string>>): { status: number; headers: Record<string, string>; body: string } => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ keys }) })

describe('auth: JWKS', () => {
  const jwksConfig = (extra: Record<string, unknown> = {}) => ({ jwt: { jwks: { cluster: 'idp', path: '/.well-known/jwks.json', ...extra } } })

  it('fetches the JWKS at configure time; requests that arrive first wait for it', async () => {
    const rs = rsaKey('r1')
    const es = ecKey('e1')
    const f = await load(jwksConfig(), { clusters: { idp: true } })
    const call = await f.nextHttpCall()
    expect(call).toMatchObject({ cluster: 'idp', method: 'GET', path: '/.well-known/jwks.json', authority: 'idp' })
    // Sent before the JWKS arrives: held, then verified once it does.
    const pending = f.request({ headers: bearer(signJwt(rs, { exp: nowS() + 60 })) })
    call.respond(jwks({ ...rs.jwk, use: 'sig', alg: 'RS256' }, es.jwk, { kty: 'RSA', use: 'enc', n: 'AQAB', e: 'AQAB' }, { kty: 'OKP', crv: 'Ed25519', x: 'AA' }))
    expect((await pending).status).toBe(200)
    expect(await f.waitForLog('auth: loaded 2 JWKS keys')).toBeTruthy()
    expect((await f.request({ headers: bearer(signJwt(es, { exp: nowS() + 60 })) })).status).toBe(200)
    // An HMAC key is never taken from a JWKS unless HS256 is listed explicitly.
    expect(body(await f.request({ headers: bearer(signJwt(hmacKey('x'), { exp: nowS() + 60 })) })).reason).toBe('algorithm not allowed')
  })

  it('refuses waiting requests when the first fetch fails, retries on the tick, then admits', async () => {
    const rs = rsaKey('r1')
    const f = await load(jwksConfig({ retryIntervalMs: 20 }), { clusters: { idp: true } })
    const first = await f.nextHttpCall()
    const pending = f.request({ headers: bearer(signJwt(rs, { exp: nowS() + 60 })) })
    first.respond({ status: 500, body: 'down' })
    const res = await pending
    expect(res.status).toBe(401)
    expect(body(res).reason).toBe('no key for this token')
    expect(await f.waitForLog(/JWKS fetch from cluster 'idp' \/.well-known\/jwks.json failed \(status 500\)/)).toBeTruthy()
    const retry = await f.nextHttpCall()
    retry.respond(jwks(rs.jwk))
    await f.waitForLog('auth: loaded 1 JWKS keys')
    expect((await f.request({ headers: bearer(signJwt(rs, { exp: nowS() + 60 })) })).status).toBe(200)
    expect(await f.metric('auth_jwks_fetch_failures')).toBe(1)
  })

  it('refreshes on the tick, keeps the old keys when a refresh fails, and picks up rotated keys', async () => {
    const old = rsaKey('old')
    const next = rsaKey('next')
    let served = [old.jwk]
    let fail = false
    const f = await load(jwksConfig({ refreshIntervalMs: 20, retryIntervalMs: 20 }), {
      clusters: { idp: () => (fail ? { status: 503, body: '' } : jwks(...served)) },
    })
    await f.waitForLog('auth: loaded 1 JWKS keys')
    fail = true
    await f.waitFor(async () => ((await f.metric('auth_jwks_fetch_failures')) ?? 0) >= 1, 'a failed refresh')
    expect(f.filterLogs('warn').some((l) => l.endsWith('keeping the previous keys'))).toBe(true)
    expect((await f.request({ headers: bearer(signJwt(old, { exp: nowS() + 60 })) })).status).toBe(200)
    served = [old.jwk, next.jwk]
    fail = false
    await f.waitForLog('auth: loaded 2 JWKS keys')
    expect((await f.request({ headers: bearer(signJwt(next, { exp: nowS() + 60 })) })).status).toBe(200)
    // A token verified before (and cached) stops working once its key leaves the JWKS.
    const oldToken = signJwt(old, { exp: nowS() + 60 })
    expect((await f.request({ headers: bearer(oldToken) })).status).toBe(200)
    expect((await f.request({ headers: bearer(oldToken) })).status).toBe(200)
    const seen = f.filterLogs().length
    served = [next.jwk]
    await f.waitFor(() => f.filterLogs().slice(seen).includes('auth: loaded 1 JWKS keys'), 'the JWKS without the old key')
    expect(body(await f.request({ headers: bearer(oldToken) })).reason).toBe('no key for this token')
  })

  it('refuses a JWKS source without a cluster or with a bad path', async () => {
    const err = await auth.refusal({ config: { jwt: { jwks: { path: 'jwks.json', refreshIntervalMs: 0 } } } })
    expect(err.filterLogs).toEqual(expect.arrayContaining([
      'invalid configuration: jwt.jwks.cluster: is required: expected a string',
      'invalid configuration: jwt.jwks.path: must start with / (got "jwks.json")',
      'invalid configuration: jwt.jwks.refreshIntervalMs: must be between 1 and 86400000 (got 0)',
    ]))
  })
})

describe('auth: external authorization', () => {
  const base = { cluster: 'authz', pathPrefix: '/check', headers: ['authorization', 'x-tenant'], upstreamHeaders: ['x-auth-user', 'x-grant-*'] }

  it('sends method, path and chosen headers; 2xx allows and adds the chosen response headers', async () => {
    const f = await load({ extAuthz: base }, {
      clusters: { authz: () => ({ status: 200, headers: { 'x-auth-user': 'ada', 'x-grant-a': '1', 'x-other': 'no' } }) },
    })
    const res = await f.request({ method: 'POST', path: '/orders?id=7', body: 'payload', headers: { authorization: 'Basic abc', 'x-tenant': 't1', cookie: 'c=1', 'x-auth-user': 'forged', 'x-grant-b': 'forged' } })
    expect(res.status).toBe(200)
    expect(res.upstreamRequest?.body).toBe('payload')
    expect(res.upstreamRequest?.headers).toMatchObject({ 'x-auth-user': 'ada', 'x-grant-a': '1' })
    expect(res.upstreamRequest?.headers['x-other']).toBeUndefined()
    expect(res.upstreamRequest?.headers['x-grant-b']).toBeUndefined()
    const call = f.httpCalls[0]!
    expect(call).toMatchObject({ cluster: 'authz', method: 'POST', path: '/check/orders?id=7', authority: 'authz', timeoutMs: 1000 })
    expect(call.headers).toMatchObject({ authorization: 'Basic abc', 'x-tenant': 't1' })
    expect(call.headers.cookie).toBeUndefined()
  })

  it("answers a denial with the service's status, body and chosen headers", async () => {
    const f = await load({ extAuthz: base }, {
      clusters: { authz: () => ({ status: 403, headers: { 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="x"', 'x-secret': 'no' }, body: 'go away' }) },
    })
    const res = await f.request({ path: '/x' })
    expect(res.status).toBe(403)
    expect(res.body).toBe('go away')
    expect(res.headers).toMatchObject({ 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="x"' })
    expect(res.headers['x-secret']).toBeUndefined()
    expect(res.upstreamRequest).toBeUndefined()
    expect(f.filterLogs('info')).toContain('auth: denied 403 GET /x: authorization service answered 403')
  })

  it.each([
    ['a 5xx', { status: 502, body: 'bad' }],
    ['a timeout', { fail: 'timeout' as const }],
    ['a reset', { fail: 'reset' as const }],
  ])('fails closed on %s (statusOnError) or open when asked', async (_what, reply) => {
    const closed = await load({ extAuthz: { ...base, statusOnError: 503 } }, { clusters: { authz: () => reply } })
    const res = await closed.request()
    expect(res.status).toBe(503)
    expect(body(res)).toMatchObject({ error: 'unavailable', reason: 'authorization service unavailable' })
    expect(await closed.metric('auth_ext_authz_errors')).toBe(1)
    await closed.close()
    const open = await load({ extAuthz: { ...base, failureMode: 'open' } }, { clusters: { authz: () => reply } })
    expect((await open.request()).status).toBe(200)
    expect(open.filterLogs('warn').some((l) => l.includes('(failureMode open)'))).toBe(true)
  })

  it('runs after the credential check, and only on rules that ask for it', async () => {
    const key = hmacKey('k')
    const f = await load({
      apiKeys: { keys: [{ name: 'a', sha256: sha256Hex('key-a') }] },
      jwt: { keys: [key.jwk], strip: true },
      extAuthz: base,
      rules: [{ prefix: '/local', require: ['apiKey', 'jwt'] }, { prefix: '/both', require: ['jwt', 'extAuthz'] }],
    }, { clusters: { authz: () => ({ status: 200 }) } })
    expect((await f.request({ path: '/local', headers: { 'x-api-key': 'key-a' } })).status).toBe(200)
    expect(f.httpCalls).toHaveLength(0)
    expect((await f.request({ path: '/both' })).status).toBe(401)
    expect(f.httpCalls).toHaveLength(0)
    const both = await f.request({ path: '/both', headers: bearer(signJwt(key, { exp: nowS() + 60 })) })
    expect(both.status).toBe(200)
    expect(f.httpCalls).toHaveLength(1)
    // The service still sees the token; the upstream does not (strip happens on admission).
    expect(f.httpCalls[0]!.headers.authorization).toMatch(/^Bearer /)
    expect(both.upstreamRequest?.headers.authorization).toBeUndefined()
    // No rule matched: every configured mechanism, ext authz included.
    expect((await f.request({ path: '/other', headers: { 'x-api-key': 'key-a' } })).status).toBe(200)
    expect(f.httpCalls).toHaveLength(2)
  })
})

describe('auth: the README example', () => {
  it('is a configuration the filter accepts, and behaves as described', async () => {
    const { readFileSync } = await import('node:fs')
    const { parse } = await import('yaml')
    const readme = readFileSync(new URL('../../../filters/auth/README.md', import.meta.url), 'utf8')
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? ''
    const doc = parse(yaml) as { filters: Array<{ config: Record<string, unknown> }> }
    const f = await load(doc.filters[0]!.config, {
      clusters: { idp: () => jwks(), authz: () => ({ status: 200, headers: { 'x-authz-user': 'u1' } }) },
    })
    expect((await f.request({ path: '/health' })).status).toBe(200)
    expect((await f.request({ method: 'DELETE', path: '/admin/x' })).status).toBe(403)
    const billing = await f.request({ path: '/billing/run', headers: { 'x-api-key': 'billing-secret' } })
    expect(billing.status).toBe(200)
    expect(billing.upstreamRequest?.headers).toMatchObject({ 'x-consumer': 'billing-job', 'x-authz-user': 'u1' })
    expect(billing.upstreamRequest?.headers['x-api-key']).toBeUndefined()
  })
})
