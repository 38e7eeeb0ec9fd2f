import { appendFile, readFile, writeFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pullWasmModule, pushWasmModule } from '../../host/oci/index.ts'
import { startRegistry, type TestRegistry } from '../helpers/registry.ts'
import { tinyWasm } from '../helpers/tiny-wasm.ts'

let registry: TestRegistry
const noCreds = async () => undefined
beforeAll(async () => {
  registry = await startRegistry()
})
afterAll(async () => {
  await registry?.close()
})

/** Flips one byte of a blob in the registry's own storage, so the registry serves tampered content. */
async function tamper(digest: string): Promise<void> {
  const path = registry.blobDataPath(digest)
  const bytes = await readFile(path)
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff
  await writeFile(path, bytes)
}

describe('content verification', () => {
  it.each(['oci', 'cncf', 'compat'] as const)('refuses a tampered module layer (%s) with WG_ERR_OCI_DIGEST_MISMATCH', async (format) => {
    const ref = `${registry.host}/tamper/${format}:v1`
    const pushed = await pushWasmModule(tinyWasm({ salt: `tamper-${format}` }), ref, { credentials: noCreds, format })
    const layer = pushed.blobs.at(-1)!
    await tamper(layer.digest)
    await expect(pullWasmModule(ref, { cacheDir: false, credentials: noCreds })).rejects.toMatchObject({ code: 'WG_ERR_OCI_DIGEST_MISMATCH' })
  })

  it('refuses a blob longer than its descriptor with WG_ERR_OCI_SIZE_MISMATCH', async () => {
    const ref = `${registry.host}/tamper/longer:v1`
    const pushed = await pushWasmModule(tinyWasm({ salt: 'longer' }), ref, { credentials: noCreds })
    await appendFile(registry.blobDataPath(pushed.blobs.at(-1)!.digest), Buffer.alloc(100))
    await expect(pullWasmModule(ref, { cacheDir: false, credentials: noCreds })).rejects.toMatchObject({ code: 'WG_ERR_OCI_SIZE_MISMATCH' })
  })

  it('refuses a tampered manifest served under its old digest', async () => {
    const ref = `${registry.host}/tamper/manifest:v1`
    const pushed = await pushWasmModule(tinyWasm({ salt: 'manifest' }), ref, { credentials: noCreds })
    const path = registry.blobDataPath(pushed.manifestDigest)
    const text = (await readFile(path, 'utf8')).replace('"schemaVersion":2', '"schemaVersion":2 ')
    await writeFile(path, text)
    await expect(pullWasmModule(ref, { cacheDir: false, credentials: noCreds })).rejects.toMatchObject({ code: 'WG_ERR_OCI_DIGEST_MISMATCH' })
  })

  it('refuses a wrong digest in the reference and a sha256 that does not match', async () => {
    const ref = `${registry.host}/tamper/pinned:v1`
    const pushed = await pushWasmModule(tinyWasm({ salt: 'pinned' }), ref, { credentials: noCreds })
    const wrong = `sha256:${'0'.repeat(64)}`
    await expect(pullWasmModule(`${registry.host}/tamper/pinned@${wrong}`, { cacheDir: false, credentials: noCreds })).rejects.toMatchObject({ code: 'WG_ERR_OCI_NOT_FOUND' })
    await expect(pullWasmModule(ref, { cacheDir: false, credentials: noCreds, sha256: '1'.repeat(64) })).rejects.toMatchObject({ code: 'WG_ERR_WASM_SHA256_MISMATCH' })
    // both meanings of sha256 are accepted: the module's (Envoy) and the manifest's (Istio)
    expect((await pullWasmModule(ref, { cacheDir: false, credentials: noCreds, sha256: pushed.sha256 })).sha256).toBe(pushed.sha256)
    expect((await pullWasmModule(ref, { cacheDir: false, credentials: noCreds, sha256: pushed.manifestDigest })).sha256).toBe(pushed.sha256)
  })
})
