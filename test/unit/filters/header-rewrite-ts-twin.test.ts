// The plain-TypeScript twin of header-rewrite (bench/peers/ts-filters/header-rewrite.ts) does the
// same as the Wasm filter on the same config, so the bench compares equal work.
import { describe, expect, it } from 'vitest'
import { createHeaderRewrite, type HeaderAccess, type HeaderRewriteConfig, type RewriteRequest } from '../../../bench/peers/ts-filters/header-rewrite.ts'
import { filterDir, useFilter } from '../../helpers/filter-harness.ts'

const rewrite = useFilter(filterDir('header-rewrite'))

function headerAccess(init: Record<string, string>): HeaderAccess & { all: Map<string, string[]> } {
  const all = new Map(Object.entries(init).map(([k, v]) => [k, [v]]))
  return {
    all,
    get: (n) => all.get(n)?.[0],
    set: (n, v) => void all.set(n, [v]),
    add: (n, v) => void all.set(n, [...(all.get(n) ?? []), v]),
    remove: (n) => void all.delete(n),
  }
}

const config: HeaderRewriteConfig = {
  rules: [
    { match: { prefix: '/api/v1/' }, rewrite: { prefix: '/v2/' }, request: { set: { 'x-version': 'v1-compat' } } },
    { match: { regex: '^/users/([0-9]+)$', methods: ['GET'] }, rewrite: { path: '/u/${1}', host: 'users.internal' }, request: { set: { 'x-user': '${1}', 'x-from': '${client_ip} ${method} ${req:x-tenant|none}' }, remove: ['cookie'] }, response: { set: { 'x-user-echo': '${1}' } } },
    { match: { headers: [{ name: 'x-tenant', matches: '^[a-z]+$' }] }, request: { add: { 'x-tenant-ok': 'yes' } }, rewrite: { regex: '/([a-z]+)-([0-9]+)', substitution: '/${2}-${1}' } },
  ],
}

describe('header-rewrite TypeScript twin', () => {
  it.each([
    { path: '/api/v1/items?x=1', headers: { 'x-tenant': 'acme' } },
    { path: '/users/42', headers: { cookie: 'c=1', 'x-tenant': 'ACME' } },
    { path: '/ab-12/cd-3', headers: { 'x-tenant': 'zeta' } },
    { path: '/plain', headers: {} },
  ])('matches the Wasm filter on $path', async ({ path, headers }) => {
    const f = await rewrite.load({ config })
    const res = await f.request({ path, authority: 'edge.test', headers })
    const up = res.upstreamRequest?.headers ?? {}

    const twin = createHeaderRewrite(config)
    const h = headerAccess(headers)
    const req: RewriteRequest = { method: 'GET', path, authority: 'edge.test', scheme: 'http', headers: h, sourceAddress: '127.0.0.1:40000', routeName: 'test', requestId: 'r' }
    const state = twin.onRequest(req)
    const resHeaders = headerAccess({})
    twin.onResponse(state, req, resHeaders)

    expect(req.path).toBe(up[':path'])
    expect(req.authority).toBe(up[':authority'])
    for (const [name, values] of h.all) if (!name.startsWith(':')) expect(up[name], name).toBe(values.join(', '))
    for (const name of Object.keys(up)) if (!name.startsWith(':') && name !== 'content-length') expect(h.all.has(name), name).toBe(true)
    for (const [name, values] of resHeaders.all) expect(res.headers[name], name).toBe(values.join(', '))
  })
})
