// A filter that writes request headers clears the route cache, as in Envoy: the route (and so the
// cluster, rewrites, stats) is chosen again from the headers the chain sends upstream. Real
// proxy, real upstreams, the real header-rewrite filter.
import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { filterDir, useFilterBuild } from '../helpers/filter-harness.ts'
import { startGateway } from '../helpers/gateway.ts'
import { sha256Hex } from '../helpers/jwt-tokens.ts'
import { startUpstream, type EchoBody } from '../helpers/upstream.ts'

const rewrite = useFilterBuild(filterDir('header-rewrite'))
const auth = useFilterBuild(filterDir('auth'))

/** An upstream that says who it is and what it received. */
async function namedUpstream(name: string) {
  return startUpstream((req, res, body) => {
    const seen = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: body.toString() } satisfies EchoBody
    res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': name }).end(JSON.stringify(seen))
  })
}

function rewriteFilter(rules: unknown[]) {
  return { name: 'rewrite', source: rewrite.wasm, config: { rules } }
}

describe('routing again after a filter changes the request', () => {
  it('sends a request whose path a filter rewrote to the route the new path matches', async () => {
    const legacy = await namedUpstream('legacy')
    const users = await namedUpstream('users')
    const gw = await startGateway({
      clusters: [
        { name: 'legacy', endpoints: [legacy.url] },
        { name: 'users', endpoints: [users.url] },
      ],
      filters: [rewriteFilter([{ match: { prefix: '/old/users/' }, rewrite: { prefix: '/users/' }, response: { set: { 'x-rewritten': 'yes' } } }])],
      routes: [
        // The new route's own prefix rewrite applies to the path the filter produced.
        { name: 'users', match: { prefix: '/users/' }, cluster: 'users', rewrite: { prefix: '/api/users/' } },
        { name: 'legacy', match: { prefix: '/' }, cluster: 'legacy', filters: ['rewrite'] },
      ],
    })
    const res = await request(`${gw.url}/old/users/7?x=1`)
    const seen = (await res.body.json()) as EchoBody
    expect(res.statusCode).toBe(200)
    expect(res.headers['x-upstream']).toBe('users')
    expect(seen.path).toBe('/api/users/7?x=1')
    // The chain that ran is the first route's: its response actions still apply.
    expect(res.headers['x-rewritten']).toBe('yes')
    expect(users.requests).toBe(1)
    expect(legacy.requests).toBe(0)

    // A request the filter leaves alone stays on its route.
    const untouched = await request(`${gw.url}/other`)
    await untouched.body.dump()
    expect(untouched.headers['x-upstream']).toBe('legacy')
  })

  it('routes by a header a filter set, and by a host it rewrote', async () => {
    const stable = await namedUpstream('stable')
    const canary = await namedUpstream('canary')
    const gw = await startGateway({
      clusters: [
        { name: 'stable', endpoints: [stable.url] },
        { name: 'canary', endpoints: [canary.url] },
      ],
      filters: [
        rewriteFilter([
          { match: { headers: [{ name: 'cookie', matches: 'beta=1' }] }, request: { set: { 'x-track': 'canary' } } },
          { match: { prefix: '/by-host/' }, rewrite: { host: 'canary.internal' } },
        ]),
      ],
      routes: [
        { name: 'canary-header', match: { prefix: '/', headers: [{ name: 'x-track', value: 'canary' }] }, cluster: 'canary' },
        { name: 'canary-host', match: { prefix: '/', host: 'canary.internal' }, cluster: 'canary' },
        { name: 'default', match: { prefix: '/' }, cluster: 'stable', filters: ['rewrite'] },
      ],
    })
    const beta = await request(`${gw.url}/page`, { headers: { cookie: 'beta=1' } })
    await beta.body.dump()
    expect(beta.headers['x-upstream']).toBe('canary')
    const byHost = await request(`${gw.url}/by-host/x`)
    const seen = (await byHost.body.json()) as EchoBody
    expect(byHost.headers['x-upstream']).toBe('canary')
    expect(seen.headers.host).toBe('canary.internal')
    const plain = await request(`${gw.url}/page`)
    await plain.body.dump()
    expect(plain.headers['x-upstream']).toBe('stable')
  })

  it('answers 404 through the filters when the rewritten request matches no route, and a direct response when it matches one', async () => {
    const backend = await namedUpstream('backend')
    const gw = await startGateway({
      clusters: [{ name: 'backend', endpoints: [backend.url] }],
      filters: [
        rewriteFilter([
          { match: { prefix: '/gone/' }, rewrite: { host: 'nowhere.invalid' }, response: { set: { 'x-filtered': '1' } } },
          { match: { prefix: '/maintenance/' }, rewrite: { path: '/down' } },
        ]),
      ],
      routes: [
        { name: 'down', match: { path: '/down' }, directResponse: { status: 503, body: 'down for maintenance', headers: { 'content-type': 'text/plain' } } },
        { name: 'app', match: { prefix: '/', host: '127.0.0.1' }, cluster: 'backend', filters: ['rewrite'] },
      ],
    })
    const gone = await request(`${gw.url}/gone/x`)
    const body = (await gone.body.json()) as { code: string; requestId: string }
    expect(gone.statusCode).toBe(404)
    expect(body.code).toBe('WG_ERR_REQUEST_NO_ROUTE')
    expect(gone.headers['x-filtered']).toBe('1')
    const down = await request(`${gw.url}/maintenance/now`)
    expect(down.statusCode).toBe(503)
    expect(await down.body.text()).toBe('down for maintenance')
    expect(backend.requests).toBe(0)
    // The proxy is fine afterwards.
    const ok = await request(`${gw.url}/fine`)
    await ok.body.dump()
    expect(ok.statusCode).toBe(200)
  })

  it('runs a direct-response route through its filters: auth guards it, response actions apply', async () => {
    const gw = await startGateway({
      filters: [
        { name: 'auth', source: auth.wasm, config: { apiKeys: { keys: [{ name: 'ops', sha256: sha256Hex('ops-key') }] } } },
        rewriteFilter([{ match: { prefix: '/' }, response: { set: { 'x-filtered': '1' } } }]),
      ],
      routes: [{ name: 'info', match: { path: '/info' }, filters: ['auth', 'rewrite'], directResponse: { status: 200, body: 'build 42', headers: { 'Content-Type': 'text/plain' } } }],
    })
    const anonymous = await request(`${gw.url}/info`)
    await anonymous.body.dump()
    expect(anonymous.statusCode).toBe(401)
    const ops = await request(`${gw.url}/info`, { headers: { 'x-api-key': 'ops-key' } })
    expect(ops.statusCode).toBe(200)
    expect(await ops.body.text()).toBe('build 42')
    expect(ops.headers['content-type']).toBe('text/plain')
    expect(ops.headers['x-filtered']).toBe('1')
  })

  it("lets filters see the request as the client sent it and applies the route's rewrites after them", async () => {
    const backend = await namedUpstream('backend')
    const gw = await startGateway({
      clusters: [{ name: 'backend', endpoints: [backend.url] }],
      filters: [rewriteFilter([{ match: { prefix: '/api/' }, request: { set: { 'x-seen-path': '${path}', 'x-seen-host': '${host}' } } }])],
      routes: [{ match: { prefix: '/api/' }, cluster: 'backend', filters: ['rewrite'], rewrite: { prefix: '/v2/', host: 'backend.internal' } }],
    })
    const res = await request(`${gw.url}/api/users?id=1`)
    const seen = (await res.body.json()) as EchoBody
    expect(seen.path).toBe('/v2/users?id=1')
    expect(seen.headers.host).toBe('backend.internal')
    // Envoy's router rewrites last, so the filter matched and read the client's path and host.
    expect(seen.headers['x-seen-path']).toBe('/api/users?id=1')
    expect(seen.headers['x-seen-host']).toBe(new URL(gw.url).host)
    expect(seen.headers['x-forwarded-host']).toBe(new URL(gw.url).host)
  })
})
