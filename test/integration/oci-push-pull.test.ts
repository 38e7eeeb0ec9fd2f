import { spawnSync } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { digestOf } from '../../host/oci/digest.ts'
import { MediaType, pullWasmModule, pushWasmModule, RegistryClient } from '../../host/oci/index.ts'
import { writeTar } from '../../host/oci/tar.ts'
import { requireProgram, startRegistry, type TestRegistry } from '../helpers/registry.ts'
import { tinyWasm } from '../helpers/tiny-wasm.ts'

let registry: TestRegistry
let workDir: string
const noCreds = async () => undefined

beforeAll(async () => {
  requireProgram('skopeo')
  registry = await startRegistry()
  workDir = await mkdtemp(join(tmpdir(), 'wasmgate-oci-'))
})
afterAll(async () => {
  await registry?.close()
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true })
})

/** The independent checker: skopeo reads back what we pushed. */
function skopeo(...args: string[]): string {
  const r = spawnSync('skopeo', [...args], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`skopeo ${args.join(' ')} failed: ${r.stderr}`)
  return r.stdout
}

function skopeoManifest(ref: string): { mediaType: string; config: { mediaType: string; digest: string }; layers: { mediaType: string; digest: string; size: number }[]; annotations: Record<string, string> } {
  return JSON.parse(skopeo('inspect', '--raw', '--tls-verify=false', `docker://${ref}`))
}

describe('push then pull each format against a real registry', () => {
  it('solo "oci" (the default) has the two-layer shape Istio requires', async () => {
    const wasm = tinyWasm({ salt: 'solo' })
    const ref = `${registry.host}/filters/solo:v1`
    const pushed = await pushWasmModule(wasm, ref, { credentials: noCreds, rootIds: ['my_root'] })
    expect(pushed.format).toBe('oci')

    const m = skopeoManifest(ref)
    expect(digestOf(Buffer.from(skopeo('inspect', '--raw', '--tls-verify=false', `docker://${ref}`)))).toBe(pushed.manifestDigest)
    expect(m.mediaType).toBe('application/vnd.oci.image.manifest.v1+json')
    expect(m.config.mediaType).toBe('application/vnd.module.wasm.config.v1+json')
    // Istio's OCI-artifact extractor: exactly two layers, one of them the raw wasm content layer.
    expect(m.layers).toHaveLength(2)
    expect(m.layers.map((l) => l.mediaType)).toEqual(['application/vnd.module.wasm.config.v1+json', 'application/vnd.module.wasm.content.layer.v1+wasm'])
    expect(m.layers[1]!.digest).toBe(`sha256:${pushed.sha256}`)
    expect(m.annotations['module.wasm.runtime/abi_version']).toBe('v0.2.1')
    expect(JSON.parse(skopeo('inspect', '--config', '--raw', '--tls-verify=false', `docker://${ref}`))).toEqual({ type: 'envoy_proxy', abiVersions: ['v0.2.1'], config: { rootIds: ['my_root'] } })

    const pulled = await pullWasmModule(`oci://${ref}`, { cacheDir: false, credentials: noCreds })
    expect(Buffer.compare(pulled.bytes, wasm)).toBe(0)
    expect(pulled).toMatchObject({ format: 'oci', manifestDigest: pushed.manifestDigest, rootIds: ['my_root'], abiVersions: ['v0.2.1'], fromCache: false })
  })

  it('CNCF layout: wasm config and a single application/wasm layer', async () => {
    const wasm = tinyWasm({ salt: 'cncf' })
    const ref = `${registry.host}/filters/cncf:v1`
    const pushed = await pushWasmModule(wasm, ref, { credentials: noCreds, format: 'cncf' })
    const m = skopeoManifest(ref)
    expect(m.config.mediaType).toBe('application/vnd.wasm.config.v0+json')
    expect(m.layers.map((l) => l.mediaType)).toEqual(['application/wasm'])
    const pulled = await pullWasmModule(ref, { cacheDir: false, credentials: noCreds })
    expect(Buffer.compare(pulled.bytes, wasm)).toBe(0)
    expect(pulled.format).toBe('cncf')
    expect(pulled.manifestDigest).toBe(pushed.manifestDigest)
  })

  it('compat: an ordinary image whose tar+gzip layer holds plugin.wasm; skopeo copies it and every digest checks', async () => {
    const wasm = tinyWasm({ salt: 'compat' })
    const ref = `${registry.host}/filters/compat:v1`
    await pushWasmModule(wasm, ref, { credentials: noCreds, format: 'compat' })
    const m = skopeoManifest(ref)
    expect(m.config.mediaType).toBe('application/vnd.oci.image.config.v1+json')
    expect(m.layers.at(-1)!.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip')
    expect(m.annotations['module.wasm.image/variant']).toBe('compat')
    // skopeo copy verifies every blob digest on the way; the layout then holds our layer.
    const layout = join(workDir, 'layout')
    skopeo('copy', '--src-tls-verify=false', `docker://${ref}`, `oci:${layout}:compat`)
    expect((await readdir(join(layout, 'blobs', 'sha256'))).length).toBe(3)
    const pulled = await pullWasmModule(ref, { cacheDir: false, credentials: noCreds })
    expect(Buffer.compare(pulled.bytes, wasm)).toBe(0)
    expect(pulled.format).toBe('compat')
  })

  it('uploads a large blob in PATCH chunks, skips blobs the registry has, and pulls by digest', async () => {
    const wasm = tinyWasm({ padBytes: 300_000, salt: 'big' })
    const ref = `${registry.host}/filters/big:v1`
    const progress: number[] = []
    const first = await pushWasmModule(wasm, ref, { credentials: noCreds, chunkSizeBytes: 64 * 1024, onProgress: (e) => progress.push(e.bytesSent) })
    expect(first.blobs.every((b) => b.uploaded)).toBe(true)
    expect(progress.length).toBeGreaterThanOrEqual(5) // one report per chunk
    expect(progress.at(-1)).toBe(wasm.length)
    const again = await pushWasmModule(wasm, `${registry.host}/filters/big:v2`, { credentials: noCreds })
    expect(again.blobs.map((b) => b.uploaded)).toEqual([false, false])
    expect(again.manifestDigest).toBe(first.manifestDigest)
    const pulled = await pullWasmModule(`${registry.host}/filters/big@${first.manifestDigest}`, { cacheDir: false, credentials: noCreds })
    expect(Buffer.compare(pulled.bytes, wasm)).toBe(0)
  })

  it('pulls a Docker-typed compat image and resolves an image index, written by hand to the registry', async () => {
    const wasm = tinyWasm({ salt: 'docker' })
    const client = new RegistryClient(registry.host, registry.host, { credentials: noCreds })
    try {
      const repo = 'filters/docker'
      const gz = gzipSync(writeTar([{ name: 'plugin.wasm', bytes: wasm }]))
      const cfg = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}')
      await client.pushBlob(repo, gz, digestOf(gz))
      await client.pushBlob(repo, cfg, digestOf(cfg))
      const manifest = Buffer.from(JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.DockerManifest,
        config: { mediaType: MediaType.DockerImageConfig, digest: digestOf(cfg), size: cfg.length },
        layers: [{ mediaType: MediaType.DockerLayerTarGzip, digest: digestOf(gz), size: gz.length }],
      }))
      const imageDigest = await client.putManifest(repo, 'docker', manifest, MediaType.DockerManifest)
      const attestation = Buffer.from('{}')
      await client.pushBlob(repo, attestation, digestOf(attestation))
      // buildx-style attestation entry (unknown/unknown) that the puller must skip
      const attManifest = Buffer.from(JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.OciManifest,
        config: { mediaType: MediaType.OciImageConfig, digest: digestOf(attestation), size: 2 },
        layers: [{ mediaType: 'application/vnd.in-toto+json', digest: digestOf(attestation), size: 2 }],
      }))
      const attDigest = await client.putManifest(repo, digestOf(attManifest), attManifest, MediaType.OciManifest)
      const index = Buffer.from(JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.DockerManifestList,
        manifests: [
          { mediaType: MediaType.OciManifest, digest: attDigest, size: attManifest.length, platform: { os: 'unknown', architecture: 'unknown' } },
          { mediaType: MediaType.DockerManifest, digest: imageDigest, size: manifest.length, platform: { os: 'linux', architecture: 'amd64' } },
        ],
      }))
      const indexDigest = await client.putManifest(repo, 'index', index, MediaType.DockerManifestList)

      const direct = await pullWasmModule(`${registry.host}/${repo}:docker`, { cacheDir: false, credentials: noCreds })
      expect(direct.format).toBe('compat-docker')
      expect(Buffer.compare(direct.bytes, wasm)).toBe(0)
      const viaIndex = await pullWasmModule(`${registry.host}/${repo}:index`, { cacheDir: false, credentials: noCreds })
      expect(viaIndex.manifestDigest).toBe(indexDigest)
      expect(Buffer.compare(viaIndex.bytes, wasm)).toBe(0)
      expect(await client.listTags(repo)).toEqual(['docker', 'index'])
    } finally {
      await client.close()
    }
  })

  it('gives WG_ERR_OCI_NOT_FOUND for a missing tag and WG_ERR_OCI_FORMAT for an image that is not a filter', async () => {
    await expect(pullWasmModule(`${registry.host}/filters/solo:missing`, { cacheDir: false, credentials: noCreds })).rejects.toMatchObject({ code: 'WG_ERR_OCI_NOT_FOUND' })
    const client = new RegistryClient(registry.host, registry.host, { credentials: noCreds })
    try {
      const cfg = Buffer.from('{}')
      const layer = Buffer.from('just text')
      await client.pushBlob('filters/text', cfg, digestOf(cfg))
      await client.pushBlob('filters/text', layer, digestOf(layer))
      const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: MediaType.OciImageConfig, digest: digestOf(cfg), size: 2 }, layers: [{ mediaType: 'text/plain', digest: digestOf(layer), size: layer.length }] }))
      await client.putManifest('filters/text', 'v1', manifest, MediaType.OciManifest)
    } finally {
      await client.close()
    }
    await expect(pullWasmModule(`${registry.host}/filters/text:v1`, { cacheDir: false, credentials: noCreds })).rejects.toMatchObject({ code: 'WG_ERR_OCI_FORMAT' })
    expect((await readFile(registry.blobDataPath(digestOf(Buffer.from('just text'))))).toString()).toBe('just text')
  })
})
