// Request paths are normalized before routing and filters (Envoy's normalize_path and
// merge_slashes): spellings of /admin that miss the /admin route would also miss its auth filter.
// Real proxy, real upstream, the real auth filter.
import { Client } from 'undici'
import { describe, expect, it, onTestFinished } from 'vitest'
import { filterDir, useFilterBuild } from '../helpers/filter-harness.ts'
import { startGateway } from '../helpers/gateway.ts'
import { sha256Hex } from '../helpers/jwt-tokens.ts'
import { startUpstream, type EchoBody } from '../helpers/upstream.ts'

const auth = useFilterBuild(filterDir('auth'))

async function guarded(paths?: Record<string, boolean>) {
  const backend = await startUpstream()
  return startGateway({
    ...(paths === undefined ? {} : { paths }),
    clusters: [{ name: 'backend', endpoints: [backend.url] }],
    filters: [{ name: 'auth', source: auth.wasm, config: { apiKeys: { keys: [{ name: 'ops', sha256: sha256Hex('ops-key') }] } } }],
    routes: [
      { name: 'admin', match: { prefix: '/admin' }, cluster: 'backend', filters: ['auth'] },
      { name: 'rest', match: { prefix: '/' }, cluster: 'backend' },
    ],
  })
}

/** Sends a request line with the target exactly as given (a URL would resolve the dots first). */
async function status(url: string, target: string, headers: Record<string, string> = {}): Promise<{ status: number; path: string }> {
  const client = new Client(url)
  onTestFinished(() => client.close())
  const res = await client.request({ method: 'GET', path: target, headers })
  const text = await res.body.text()
  return { status: res.statusCode, path: res.statusCode === 200 ? (JSON.parse(text) as EchoBody).path : '' }
}

describe('request path normalization', () => {
  it('routes every spelling of /admin to the /admin route, so its auth filter runs', async () => {
    const gw = await guarded()
    for (const target of ['/admin', '//admin', '/./admin', '/%61dmin', '/x/../admin', '/%2e%2e/admin', '/admin/./users/../', '/\\admin']) {
      expect((await status(gw.url, target)).status, target).toBe(401)
    }
    // With the key, the upstream gets the normalized path.
    expect(await status(gw.url, '/x/../admin//users?q=/../', { 'x-api-key': 'ops-key' })).toEqual({ status: 200, path: '/admin/users?q=/../' })
    expect(await status(gw.url, '/public/%7Euser')).toEqual({ status: 200, path: '/public/~user' })
  })

  it('can be turned off (paths.normalize: false), and then //admin misses the route', async () => {
    const gw = await guarded({ normalize: false })
    expect((await status(gw.url, '/admin')).status).toBe(401)
    expect(await status(gw.url, '//admin')).toEqual({ status: 200, path: '//admin' })
  })
})
