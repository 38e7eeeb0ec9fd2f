import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pushWasmModule } from '../../host/oci/index.ts'
import { startGateway } from '../helpers/gateway.ts'
import { startRegistry, type TestRegistry } from '../helpers/registry.ts'
import { startUpstream } from '../helpers/upstream.ts'

const root = new URL('../..', import.meta.url).pathname
let registry: TestRegistry
let cacheDir: string
let wasm: Buffer
const previousCacheDir = process.env.WASMGATE_CACHE_DIR

beforeAll(async () => {
  // The SDK's add-header example, compiled by the real asc (cached by source hash).
  const { compileFilterDir } = (await import(pathToFileURL(join(root, 'scripts', 'build-wasm.mjs')).href)) as {
    compileFilterDir(dir: string): Promise<{ outFile: string }>
  }
  const { outFile } = await compileFilterDir(join(root, 'filters', 'add-header'))
  wasm = await readFile(outFile)
  registry = await startRegistry({ auth: 'basic' })
  cacheDir = await mkdtemp(join(tmpdir(), 'wasmgate-oci-proxy-'))
  // Filter sources pull through the default cache and docker-style credentials of the process.
  process.env.WASMGATE_CACHE_DIR = cacheDir
  process.env.WASMGATE_REGISTRY_USERNAME = 'tester'
  process.env.WASMGATE_REGISTRY_PASSWORD = 's3cret'
})
afterAll(async () => {
  if (previousCacheDir === undefined) delete process.env.WASMGATE_CACHE_DIR
  else process.env.WASMGATE_CACHE_DIR = previousCacheDir
  delete process.env.WASMGATE_REGISTRY_USERNAME
  delete process.env.WASMGATE_REGISTRY_PASSWORD
  await registry?.close()
  if (cacheDir !== undefined) await rm(cacheDir, { recursive: true, force: true })
})

describe('a proxy loads a filter from oci://', () => {
  it.each(['oci', 'cncf', 'compat'] as const)('serves with a filter pushed in the %s format', async (format) => {
    const credentials = async () => ({ username: 'tester', password: 's3cret' })
    const ref = `${registry.host}/filters/add-header:${format}`
    const pushed = await pushWasmModule(wasm, ref, { format, credentials, rootIds: ['add-header'] })
    const upstream = await startUpstream()
    const gw = await startGateway({
      clusters: [{ name: 'backend', endpoints: [upstream.url] }],
      filters: [{ name: 'add-header', source: `oci://${ref}`, sha256: pushed.sha256, config: { name: 'x-from-oci', value: format } }],
      routes: [{ match: { prefix: '/' }, cluster: 'backend', filters: ['add-header'] }],
    })
    const res = await request(`${gw.url}/hello`)
    await res.body.text()
    expect(res.statusCode).toBe(200)
    expect(res.headers['x-from-oci']).toBe(format)
  })

  it('refuses to start with a clear code when the pulled module does not match or was tampered with', async () => {
    const credentials = async () => ({ username: 'tester', password: 's3cret' })
    const ref = `${registry.host}/filters/add-header:guarded`
    // A custom section makes this module's blob its own, so tampering with it touches no other test.
    const own = Buffer.concat([wasm, Buffer.from([0, 5, 4]), Buffer.from('salt')])
    const pushed = await pushWasmModule(own, ref, { credentials })
    const config = (source: string, sha256?: string) => ({
      filters: [{ name: 'add-header', source, ...(sha256 === undefined ? {} : { sha256 }) }],
      routes: [{ match: { prefix: '/' }, directResponse: { status: 200 }, filters: ['add-header'] }],
    })
    await expect(startGateway(config(`oci://${ref}`, 'f'.repeat(64)))).rejects.toMatchObject({ code: 'WG_ERR_WASM_SHA256_MISMATCH' })
    const layer = pushed.blobs.at(-1)!
    const data = await readFile(registry.blobDataPath(layer.digest))
    data[data.length - 1] = data[data.length - 1]! ^ 0xff
    await writeFile(registry.blobDataPath(layer.digest), data)
    await expect(startGateway(config(`oci://${registry.host}/filters/add-header@${pushed.manifestDigest}`))).rejects.toMatchObject({ code: 'WG_ERR_OCI_DIGEST_MISMATCH' })
  })
})
