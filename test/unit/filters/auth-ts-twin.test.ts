// The plain-TypeScript twin of the auth filter (bench/peers/ts-filters/auth.ts) must decide like
// the Wasm filter, or the benchmark compares different work. Same config, same requests.
import { beforeAll, expect, it } from 'vitest'
import { createAuth, type AuthConfig } from '../../../bench/peers/ts-filters/auth.ts'
import type { TestFilter } from '../../../host/testing.ts'
import { filterDir, useFilter } from '../../helpers/filter-harness.ts'
import { ecKey, hmacKey, nowS, rsaKey, sha256Hex, signJwt, tamper } from '../../helpers/jwt-tokens.ts'

const hs = hmacKey('twin-secret')
const rs = rsaKey('r')
const es = ecKey('e')
const config: AuthConfig = {
  apiKeys: { keys: [{ name: 'svc', sha256: sha256Hex('svc-key') }], consumerHeader: 'x-consumer' },
  jwt: { keys: [hs.jwk, rs.jwk, es.jwk], issuers: ['idp'], claimsToHeaders: [{ claim: 'sub', header: 'x-user' }] },
  rules: [{ prefix: '/pub', public: true }, { prefix: '/admin', methods: ['DELETE'], deny: true }, { prefix: '/admin', require: ['jwt'], claims: { scope: 'admin' } }, { prefix: '/reports', require: ['apiKey', 'jwt'], claims: { scope: 'r' } }],
}
const auth = useFilter(filterDir('auth'), { config }, { keepOpen: true })
let filter: TestFilter

beforeAll(async () => {
  filter = await auth.load()
})

it('decides every request like the Wasm filter', async () => {
  const twin = createAuth(config)
  const claims = { iss: 'idp', sub: 'ada', exp: nowS() + 60 }
  const cases: Array<[string, string, Record<string, string>]> = [
    ['GET', '/pub/x', {}],
    ['GET', '/x', {}],
    ['GET', '/x', { 'x-api-key': 'svc-key' }],
    ['GET', '/x', { 'x-api-key': 'wrong' }],
    ['GET', '/reports', { 'x-api-key': 'svc-key' }],
    ['GET', '/reports', { 'x-api-key': 'svc-key', authorization: `Bearer ${signJwt(hs, { ...claims, scope: 'r' })}` }],
    ['DELETE', '/admin/u', { authorization: `Bearer ${signJwt(hs, { ...claims, scope: 'admin' })}` }],
    ['GET', '/admin/u', { authorization: `Bearer ${signJwt(rs, { ...claims, scope: 'admin' })}` }],
    ['GET', '/admin/u', { authorization: `Bearer ${signJwt(es, { ...claims, scope: 'read' })}` }],
    ['GET', '/x', { authorization: `Bearer ${signJwt(es, claims)}` }],
    ['GET', '/x', { authorization: `Bearer ${tamper(signJwt(rs, claims))}` }],
    ['GET', '/x', { authorization: `Bearer ${signJwt(hs, { ...claims, iss: 'other' })}` }],
    ['GET', '/x', { authorization: `Bearer ${signJwt(hs, { ...claims, exp: nowS() - 3600 })}` }],
  ]
  for (const [method, path, headers] of cases) {
    const wasm = await filter.request({ method, path, headers })
    const ts = twin.onRequest({ method, path, header: (n) => headers[n] })
    const label = `${method} ${path} ${JSON.stringify(headers).slice(0, 40)}`
    expect(ts.reply?.status ?? 200, label).toBe(wasm.status)
    if (ts.reply) expect(JSON.parse(ts.reply.body).reason, label).toBe(JSON.parse(wasm.body).reason)
    for (const [k, v] of ts.setHeaders ?? []) expect(wasm.upstreamRequest?.headers[k], label).toBe(v)
  }
})
