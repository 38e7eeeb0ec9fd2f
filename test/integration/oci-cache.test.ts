import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pullWasmModule, pushWasmModule, resolveManifestDigest } from '../../host/oci/index.ts'
import { startRegistry, type TestRegistry } from '../helpers/registry.ts'
import { tinyWasm } from '../helpers/tiny-wasm.ts'

const noCreds = async () => undefined
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function setup(): Promise<{ registry: TestRegistry; cacheDir: string }> {
  const registry = await startRegistry()
  cleanups.push(() => registry.close())
  const cacheDir = await mkdtemp(join(tmpdir(), 'wasmgate-oci-cache-'))
  cleanups.push(() => rm(cacheDir, { recursive: true, force: true }))
  return { registry, cacheDir }
}

describe('local cache and pull policies', () => {
  it('IfNotPresent serves a cached tag without the registry; a digest-pinned ref never goes back', async () => {
    const { registry, cacheDir } = await setup()
    const wasm = tinyWasm({ salt: 'cached' })
    const ref = `${registry.host}/cache/f:v1`
    const pushed = await pushWasmModule(wasm, ref, { credentials: noCreds })
    const first = await pullWasmModule(ref, { cacheDir, credentials: noCreds })
    expect(first.fromCache).toBe(false)
    expect(await readdir(join(cacheDir, 'blobs', 'sha256'))).toEqual([pushed.sha256])

    await registry.close() // from here on the registry is gone
    const second = await pullWasmModule(ref, { cacheDir, credentials: noCreds })
    expect(second.fromCache).toBe(true)
    expect(Buffer.compare(second.bytes, wasm)).toBe(0)
    const pinned = await pullWasmModule(first.pinnedReference, { cacheDir, credentials: noCreds, pullPolicy: 'Always' })
    expect(pinned.fromCache).toBe(true)
    await expect(pullWasmModule(ref, { cacheDir, credentials: noCreds, pullPolicy: 'Always' })).rejects.toMatchObject({ code: 'WG_ERR_OCI_UNREACHABLE' })
  })

  it('Always sends a HEAD and downloads again only when the tag moved; IfNotPresent keeps the old module', async () => {
    const { registry, cacheDir } = await setup()
    const ref = `${registry.host}/cache/moving:latest`
    const v1 = await pushWasmModule(tinyWasm({ salt: 'one' }), ref, { credentials: noCreds })
    await pullWasmModule(ref, { cacheDir, credentials: noCreds })
    const unchanged = await pullWasmModule(ref, { cacheDir, credentials: noCreds, pullPolicy: 'Always' })
    expect(unchanged).toMatchObject({ fromCache: true, manifestDigest: v1.manifestDigest })

    const v2 = await pushWasmModule(tinyWasm({ salt: 'two' }), ref, { credentials: noCreds })
    expect(await resolveManifestDigest(ref, { credentials: noCreds })).toBe(v2.manifestDigest) // the cheap moved-tag probe
    const stale = await pullWasmModule(ref, { cacheDir, credentials: noCreds, pullPolicy: 'IfNotPresent' })
    expect(stale.manifestDigest).toBe(v1.manifestDigest)
    const fresh = await pullWasmModule(ref, { cacheDir, credentials: noCreds, pullPolicy: 'Always' })
    expect(fresh).toMatchObject({ fromCache: false, manifestDigest: v2.manifestDigest, sha256: v2.sha256 })
    expect((await pullWasmModule(ref, { cacheDir, credentials: noCreds })).manifestDigest).toBe(v2.manifestDigest)
  })

  it('drops a corrupted cache file and pulls again', async () => {
    const { registry, cacheDir } = await setup()
    const wasm = tinyWasm({ salt: 'corrupt' })
    const ref = `${registry.host}/cache/corrupt:v1`
    const pushed = await pushWasmModule(wasm, ref, { credentials: noCreds })
    await pullWasmModule(ref, { cacheDir, credentials: noCreds })
    await writeFile(join(cacheDir, 'blobs', 'sha256', pushed.sha256), 'garbage')
    const again = await pullWasmModule(ref, { cacheDir, credentials: noCreds })
    expect(again.fromCache).toBe(false)
    expect(Buffer.compare(again.bytes, wasm)).toBe(0)
  })
})
