// header-rewrite in the real proxy: real sockets, a real upstream that echoes what it received.
import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { refusedGateway } from '../helpers/filter-gateway.ts'
import { filterDir, useFilterBuild } from '../helpers/filter-harness.ts'
import { startGateway } from '../helpers/gateway.ts'
import { startUpstream, type EchoBody } from '../helpers/upstream.ts'

const rewrite = useFilterBuild(filterDir('header-rewrite'))

describe('header-rewrite in the proxy', () => {
  it('rewrites path, host and headers on the way up, and response headers on the way down', async () => {
    const upstream = await startUpstream((req, res, body) => {
      const text = JSON.stringify({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: body.toString() } satisfies EchoBody)
      res.writeHead(200, { 'content-type': 'application/json', server: 'backend/1.2', 'x-backend-version': '7' }).end(text)
    })
    const gw = await startGateway({
      clusters: [{ name: 'backend', endpoints: [upstream.url] }],
      filters: [{
        name: 'rewrite',
        source: rewrite.wasm,
        config: {
          rules: [
            {
              match: { regex: '^/users/([0-9]+)$', methods: ['GET'] },
              rewrite: { path: '/api/v2/users/${1}', host: 'users.internal' },
              request: { set: { 'x-user-id': '${1}', 'x-client-ip': '${client_ip}', 'x-route': '${route}' }, remove: ['cookie'] },
              response: { set: { 'x-backend': 'v${resp:x-backend-version}' }, remove: ['server'] },
            },
            { match: { headers: [{ name: 'x-debug', equals: 'on' }] }, response: { add: { 'x-debug-path': '${path}' } } },
          ],
        },
      }],
      routes: [{ name: 'users', match: { prefix: '/' }, cluster: 'backend', filters: ['rewrite'] }],
    })
    const res = await request(`${gw.url}/users/42?fields=name`, { headers: { cookie: 'session=1', 'x-debug': 'on' } })
    const seen = (await res.body.json()) as EchoBody
    expect(res.statusCode).toBe(200)
    expect(seen.path).toBe('/api/v2/users/42?fields=name')
    expect(seen.headers.host).toBe('users.internal')
    expect(seen.headers).toMatchObject({ 'x-user-id': '42', 'x-client-ip': '127.0.0.1', 'x-route': 'users' })
    expect(seen.headers.cookie).toBeUndefined()
    expect(res.headers['x-backend']).toBe('v7')
    expect(res.headers.server).toBeUndefined()
    expect(res.headers['x-debug-path']).toBe('/api/v2/users/42?fields=name')

    const other = await request(`${gw.url}/users/42`, { method: 'POST', body: 'x' })
    const seenOther = (await other.body.json()) as EchoBody
    expect(seenOther.path).toBe('/users/42')
    expect(other.headers['x-backend']).toBeUndefined()
  })

  it('refuses to start with a bad config, and the log names the wrong field', async () => {
    const upstream = await startUpstream()
    const refusal = await refusedGateway({ name: 'rewrite', source: rewrite.wasm, config: { rules: [{ match: { regex: '^/(a' } }] }, upstream: upstream.url })
    expect(refusal.code).toBe('WG_ERR_FILTER_CONFIGURE_FAILED')
    expect(refusal.logs.some((r) => String(r.msg).startsWith('invalid configuration: rules[0].match.regex: invalid regex'))).toBe(true)
  })
})
