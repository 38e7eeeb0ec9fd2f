/**
 * reload.ociPollMs: a filter loaded from an `oci://` tag is reloaded when the tag moves to
 * another manifest in a real registry (Debian's docker-registry), canary first as always.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pushWasmModule } from '../../host/oci/index.ts'
import { startGateway } from '../helpers/gateway.ts'
import { startRegistry, type TestRegistry } from '../helpers/registry.ts'
import { startUpstream } from '../helpers/upstream.ts'
import { waitFor } from '../helpers/wait.ts'
import { getJson, salted, versionWasm, versioned } from './reload-support.ts'

let registry: TestRegistry
let cacheDir: string
const previousCacheDir = process.env.WASMGATE_CACHE_DIR

beforeAll(async () => {
  registry = await startRegistry({ auth: 'none' })
  cacheDir = await mkdtemp(join(tmpdir(), 'wasmgate-reload-oci-'))
  process.env.WASMGATE_CACHE_DIR = cacheDir
})
afterAll(async () => {
  if (previousCacheDir === undefined) delete process.env.WASMGATE_CACHE_DIR
  else process.env.WASMGATE_CACHE_DIR = previousCacheDir
  await registry?.close()
  if (cacheDir !== undefined) await rm(cacheDir, { recursive: true, force: true })
})

describe('OCI tag polling', () => {
  it('reloads the filter when its tag moves; the new module serves', async () => {
    const ref = `${registry.host}/filters/reload-version:live`
    const first = await pushWasmModule(salted(versionWasm(), 'oci-1'), ref, {})
    const upstream = await startUpstream()
    const gw = await startGateway({
      reload: { ociPollMs: 50 },
      clusters: [{ name: 'echo', endpoints: [upstream.url] }],
      filters: [{ name: 'ver', source: `oci://${ref}`, config: { version: 'A' } }],
      routes: [{ match: { prefix: '/' }, cluster: 'echo', filters: ['ver'] }],
    })
    expect((await getJson(`${gw.adminUrl}/filters/ver`)).body).toMatchObject({ sha256: first.sha256, generation: 1 })
    // Polls of an unmoved tag reload nothing.
    await waitFor(() => gw.logs.filter((r) => r.msg === 'OCI tag checked').length >= 2, 'two polls of the unmoved tag')
    expect((await getJson(`${gw.adminUrl}/filters/ver`)).body.generation).toBe(1)

    const second = await pushWasmModule(salted(versionWasm(), 'oci-2'), ref, {})
    expect(second.sha256).not.toBe(first.sha256)
    await waitFor(async () => (await getJson(`${gw.adminUrl}/filters/ver`)).body.generation === 2, 'the moved tag to be reloaded')
    expect((await getJson(`${gw.adminUrl}/filters/ver`)).body).toMatchObject({ sha256: second.sha256, state: 'running', lastError: null })
    expect(await versioned(gw.url)).toMatchObject({ status: 200, responseVersion: 'A', requestVersion: 'A' })
    await gw.waitForLog((r) => r.trigger === 'oci' && r.generation === 2)
    // Polls after the move find the digest it loaded: no further reloads.
    const checksAfter = () => gw.logs.filter((r) => r.msg === 'OCI tag checked' && r.known === r.digest && r.digest === second.manifestDigest).length
    await waitFor(() => checksAfter() >= 2, 'two polls after the reload')
    expect(gw.logs.filter((r) => typeof r.msg === 'string' && r.msg.startsWith('OCI tag moved')).length).toBe(1)
    expect((await getJson(`${gw.adminUrl}/filters/ver`)).body.generation).toBe(2)
  })
})
