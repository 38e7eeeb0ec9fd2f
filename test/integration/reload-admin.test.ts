/**
 * PUT /filters/NAME and GET /filters on a real gateway: replace a filter's module or config,
 * add a new filter, and read back generation, digest and state. Every request after a 200
 * answer is served by the new instance, on both the request and the response side.
 */
import { describe, expect, it } from 'vitest'
import { request } from 'undici'
import { startGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'
import { VERSION_WASM, getJson, putFilter, salted, versionWasm, versioned } from './reload-support.ts'

async function gatewayWithVersion(version = 'A') {
  const upstream = await startUpstream()
  return startGateway({
    clusters: [{ name: 'echo', endpoints: [upstream.url] }],
    filters: [{ name: 'ver', source: VERSION_WASM, config: { version } }],
    routes: [{ match: { prefix: '/' }, cluster: 'echo', filters: ['ver'] }],
  })
}

describe('PUT /filters/NAME', () => {
  it('GET /filters lists name, source, sha256, ABI version, loadedAt, generation, state and last error', async () => {
    const gw = await gatewayWithVersion()
    const { status, body } = await getJson(`${gw.adminUrl}/filters`)
    expect(status).toBe(200)
    const [row] = body.filters as Array<Record<string, unknown>>
    expect(row).toMatchObject({ name: 'ver', source: VERSION_WASM, abiVersion: '0.2.1', generation: 1, state: 'running', lastError: null })
    expect(row?.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(Number.isNaN(Date.parse(String(row?.loadedAt)))).toBe(false)
    expect((await getJson(`${gw.adminUrl}/filters/ver`)).body).toMatchObject({ name: 'ver', generation: 1 })
  })

  it('replaces the module (a .wasm body) and the config (?config=JSON): the next request runs the new instance', async () => {
    const gw = await gatewayWithVersion('A')
    expect(await versioned(gw.url)).toMatchObject({ status: 200, responseVersion: 'A', requestVersion: 'A' })
    const before = (await getJson(`${gw.adminUrl}/filters/ver`)).body.sha256
    const b = salted(versionWasm(), 'b')
    const put = await putFilter(gw.adminUrl, 'ver', b, `?config=${encodeURIComponent(JSON.stringify({ version: 'B' }))}`)
    expect(put.status).toBe(200)
    expect(put.body).toMatchObject({ name: 'ver', generation: 2, state: 'running', lastError: null, source: 'upload:ver' })
    expect(put.body.sha256).not.toBe(before)
    expect(await versioned(gw.url)).toMatchObject({ status: 200, responseVersion: 'B', requestVersion: 'B' })
    // A .wasm body alone keeps the config.
    const again = await putFilter(gw.adminUrl, 'ver', salted(versionWasm(), 'c'))
    expect(again).toMatchObject({ status: 200, body: { generation: 3 } })
    expect(await versioned(gw.url)).toMatchObject({ responseVersion: 'B', requestVersion: 'B' })
  })

  it('JSON {source, config} replaces from a path; fields not given are kept', async () => {
    const gw = await gatewayWithVersion('A')
    const put = await putFilter(gw.adminUrl, 'ver', { source: VERSION_WASM, config: { version: 'json' } })
    expect(put).toMatchObject({ status: 200, body: { generation: 2, source: VERSION_WASM, failurePolicy: 'closed' } })
    expect(await versioned(gw.url)).toMatchObject({ responseVersion: 'json', requestVersion: 'json' })
  })

  it('a PUT of a new name adds the filter (routes can use it after a config reload)', async () => {
    const gw = await gatewayWithVersion('A')
    const put = await putFilter(gw.adminUrl, 'extra', { source: VERSION_WASM, config: { version: 'X' } })
    expect(put).toMatchObject({ status: 200, body: { name: 'extra', generation: 1 } })
    const names = ((await getJson(`${gw.adminUrl}/filters`)).body.filters as Array<{ name: string }>).map((r) => r.name)
    expect(names.sort()).toEqual(['extra', 'ver'])
    expect(await versioned(gw.url)).toMatchObject({ responseVersion: 'A' })
  })

  it('counts reloads and refusals in /stats/prometheus and logs them', async () => {
    const gw = await gatewayWithVersion('A')
    await putFilter(gw.adminUrl, 'ver', { source: VERSION_WASM, config: { version: 'B' } })
    await putFilter(gw.adminUrl, 'ver', Buffer.from('not wasm at all'))
    const text = await (await request(`${gw.adminUrl}/stats/prometheus`)).body.text()
    expect(text).toMatch(/wasmgate_filter_reloads_total\{filter="ver",trigger="admin",result="ok",code=""\} 1/)
    expect(text).toMatch(/wasmgate_filter_reloads_total\{filter="ver",trigger="admin",result="refused",code="WG_ERR_WASM_INVALID"\} 1/)
    expect(text).toMatch(/wasmgate_filter_generation\{filter="ver"\} 2/)
    await gw.waitForLog((r) => r.filter === 'ver' && r.generation === 2 && r.trigger === 'admin')
    await gw.waitForLog((r) => r.filter === 'ver' && r.code === 'WG_ERR_WASM_INVALID' && r.level === 'warn')
  })

  it('GET /filters/NAME of an unknown filter is 404 WG_ERR_FILTER_NOT_FOUND', async () => {
    const gw = await gatewayWithVersion()
    expect(await getJson(`${gw.adminUrl}/filters/nope`)).toMatchObject({ status: 404, body: { code: 'WG_ERR_FILTER_NOT_FOUND' } })
  })
})
