/**
 * `wasmgate load NAME SOURCE` against a real running gateway: loads by path (the proxy reads it)
 * or by upload, prints the new generation, and on refusal prints the code and exits 1 while the
 * running filter keeps serving.
 */
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli-process.ts'
import { startGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'
import { VERSION_WASM, getJson, salted, tempDir, versionWasm, versioned, writeTemp } from './reload-support.ts'

async function gatewayWithVersion() {
  const upstream = await startUpstream()
  return startGateway({
    clusters: [{ name: 'echo', endpoints: [upstream.url] }],
    filters: [{ name: 'ver', source: VERSION_WASM, config: { version: 'A' } }],
    routes: [{ match: { prefix: '/' }, cluster: 'echo', filters: ['ver'] }],
  })
}

describe('wasmgate load', () => {
  it('loads a path with --config, then an upload; prints the generation', async () => {
    const gw = await gatewayWithVersion()
    const byPath = runCli(['load', 'ver', VERSION_WASM, '--admin', gw.adminUrl, '--config', '{"version":"C"}'])
    expect((await byPath.exited()).code, byPath.stderr()).toBe(0)
    expect(byPath.records.map((r) => r.text).join('\n')).toMatch(/loaded ver \(generation 2\)/)
    expect(await versioned(gw.url)).toMatchObject({ responseVersion: 'C', requestVersion: 'C' })

    const file = writeTemp(tempDir(), 'other.wasm', salted(versionWasm(), 'cli'))
    const upload = runCli(['load', 'ver', file, '--admin', gw.adminUrl, '--upload', '--config', '{"version":"U"}', '--json'])
    expect((await upload.exited()).code, upload.stderr()).toBe(0)
    expect(upload.records[0]).toMatchObject({ name: 'ver', generation: 3, source: 'upload:ver' })
    expect(await versioned(gw.url)).toMatchObject({ responseVersion: 'U' })
    expect((await getJson(`${gw.adminUrl}/filters/ver`)).body.generation).toBe(3)
  })

  it('a refused module exits 1 with its code; the running filter keeps serving', async () => {
    const gw = await gatewayWithVersion()
    const bad = writeTemp(tempDir(), 'bad.wasm', 'not a module')
    const cli = runCli(['load', 'ver', bad, '--admin', gw.adminUrl])
    expect((await cli.exited()).code).toBe(1)
    expect(cli.stderr()).toMatch(/error WG_ERR_WASM_INVALID/)
    expect(await versioned(gw.url)).toMatchObject({ status: 200, responseVersion: 'A' })
  })

  it('an admin API that does not answer: WG_ERR_ADMIN_UNREACHABLE', async () => {
    const gw = await gatewayWithVersion()
    const adminPort = gw.adminPort
    await gw.close()
    const cli = runCli(['load', 'ver', VERSION_WASM, '--admin', `http://127.0.0.1:${adminPort}`])
    expect((await cli.exited()).code).toBe(1)
    expect(cli.stderr()).toMatch(/error WG_ERR_ADMIN_UNREACHABLE/)
  })
})
