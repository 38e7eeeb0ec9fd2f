import { gunzipSync, gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { isWasmgateError } from '../../../host/errors.ts'
import { buildImage, extractModule, selectFromIndex } from '../../../host/oci/artifact.ts'
import { digestOf } from '../../../host/oci/digest.ts'
import { parseManifest, type Descriptor } from '../../../host/oci/manifest.ts'
import { MediaType } from '../../../host/oci/media-types.ts'
import { findInTar, writeTar } from '../../../host/oci/tar.ts'
import { tinyWasm } from '../../helpers/tiny-wasm.ts'

const wasm = tinyWasm()
const MAX = 1 << 20

function reader(blobs: Map<string, Buffer>) {
  return async (d: Descriptor) => {
    const b = blobs.get(d.digest)
    if (b === undefined) throw new Error(`no blob ${d.digest}`)
    return b
  }
}

async function roundTrip(format: 'oci' | 'cncf' | 'compat') {
  const image = buildImage(wasm, { format, rootIds: ['root_a', 'root_b'], annotations: { 'org.example/x': 'y' } })
  const blobs = new Map(image.blobs.map((b) => [b.descriptor.digest, b.bytes]))
  const parsed = parseManifest(image.manifest, image.manifestMediaType, 'test')
  if (parsed.kind !== 'manifest') throw new Error('expected a manifest')
  return { image, parsed, extracted: await extractModule(parsed, reader(blobs), 'test', MAX) }
}

describe('image formats', () => {
  it('builds the solo "oci" shape Istio loads: the config blob twice, then the raw module', async () => {
    const { image, parsed, extracted } = await roundTrip('oci')
    expect(parsed.config.mediaType).toBe(MediaType.SoloConfig)
    expect(parsed.layers.map((l) => l.mediaType)).toEqual([MediaType.SoloConfig, MediaType.SoloWasmLayer])
    expect(parsed.layers[0]!.digest).toBe(parsed.config.digest)
    expect(parsed.layers[1]!.digest).toBe(digestOf(wasm))
    expect(parsed.annotations['module.wasm.runtime/abi_version']).toBe('v0.2.1')
    expect(parsed.annotations['org.example/x']).toBe('y')
    expect(JSON.parse(image.blobs[0]!.bytes.toString())).toEqual({ type: 'envoy_proxy', abiVersions: ['v0.2.1'], config: { rootIds: ['root_a', 'root_b'] } })
    expect(image.blobs).toHaveLength(2) // the config is uploaded once
    expect(extracted).toMatchObject({ format: 'oci', rootIds: ['root_a', 'root_b'], abiVersions: ['v0.2.1'] })
    expect(Buffer.compare(extracted.wasm, wasm)).toBe(0)
  })

  it('builds the CNCF shape: wasm config and one application/wasm layer', async () => {
    const { image, parsed, extracted } = await roundTrip('cncf')
    expect(parsed.config.mediaType).toBe(MediaType.CncfConfig)
    expect(parsed.layers.map((l) => l.mediaType)).toEqual([MediaType.CncfWasmLayer])
    expect(JSON.parse(image.blobs[0]!.bytes.toString())).toMatchObject({ architecture: 'wasm', os: 'wasip1', layerDigests: [digestOf(wasm)] })
    expect(extracted.format).toBe('cncf')
    expect(extracted.rootIds).toEqual(['root_a', 'root_b']) // from the annotation
  })

  it('builds the compat shape: an image config and a tar.gz layer holding plugin.wasm', async () => {
    const { image, parsed, extracted } = await roundTrip('compat')
    expect(parsed.config.mediaType).toBe(MediaType.OciImageConfig)
    expect(parsed.layers.map((l) => l.mediaType)).toEqual([MediaType.OciLayerTarGzip])
    expect(parsed.annotations['module.wasm.image/variant']).toBe('compat')
    const tar = gunzipSync(image.blobs[1]!.bytes)
    expect(JSON.parse(image.blobs[0]!.bytes.toString()).rootfs.diff_ids).toEqual([digestOf(tar)])
    expect(Buffer.compare(Buffer.from(findInTar(tar, 'plugin.wasm', 't')!), wasm)).toBe(0)
    expect(extracted.format).toBe('compat')
    expect(extracted.rootIds).toEqual(['root_a', 'root_b']) // from runtime-config.json in the tar
  })

  it('is reproducible: the same module and options give the same manifest digest', () => {
    for (const format of ['oci', 'cncf', 'compat'] as const) {
      expect(buildImage(wasm, { format }).manifestDigest).toBe(buildImage(wasm, { format }).manifestDigest)
    }
    expect(buildImage(wasm).manifestDigest).not.toBe(buildImage(tinyWasm({ salt: 'x' })).manifestDigest)
  })

  it('refuses to build from bytes that are not Wasm', () => {
    expect(() => buildImage(Buffer.from('hello world, not wasm'))).toThrow(expect.objectContaining({ code: 'WG_ERR_WASM_INVALID' }))
  })

  it('reads a Docker compat image and the wasm-to-oci shape', async () => {
    const tar = writeTar([{ name: 'plugin.wasm', bytes: wasm }])
    const gz = gzipSync(tar)
    const layer = { mediaType: MediaType.DockerLayerTarGzip, digest: digestOf(gz), size: gz.length }
    const cfg = Buffer.from('{}')
    const docker = parseManifest(
      Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.DockerManifest, config: { mediaType: MediaType.DockerImageConfig, digest: digestOf(cfg), size: 2 }, layers: [layer] })),
      MediaType.DockerManifest,
      't',
    )
    if (docker.kind !== 'manifest') throw new Error('manifest expected')
    const out = await extractModule(docker, reader(new Map([[layer.digest, gz]])), 't', MAX)
    expect(out.format).toBe('compat-docker')
    expect(Buffer.compare(out.wasm, wasm)).toBe(0)

    // wasm-to-oci, written by old ORAS without a mediaType field (the Content-Type decides)
    const w2o = parseManifest(
      Buffer.from(JSON.stringify({ schemaVersion: 2, config: { mediaType: MediaType.WasmToOciConfig, digest: digestOf(cfg), size: 2 }, layers: [{ mediaType: MediaType.WasmToOciLayer, digest: digestOf(wasm), size: wasm.length }] })),
      MediaType.OciManifest,
      't',
    )
    if (w2o.kind !== 'manifest') throw new Error('manifest expected')
    expect((await extractModule(w2o, reader(new Map([[digestOf(wasm), wasm]])), 't', MAX)).format).toBe('wasm-to-oci')
  })

  it('refuses unknown shapes, oversized layers and CNCF images with extra layers', async () => {
    const cfg = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(Buffer.from('{}')), size: 2 }
    const odd = { kind: 'manifest' as const, mediaType: MediaType.OciManifest, annotations: {}, config: cfg, layers: [{ mediaType: 'text/plain', digest: cfg.digest, size: 2 }] }
    await expect(extractModule(odd, reader(new Map()), 't', MAX)).rejects.toMatchObject({ code: 'WG_ERR_OCI_FORMAT' })
    const big = { ...odd, layers: [{ mediaType: MediaType.CncfWasmLayer, digest: cfg.digest, size: MAX + 1 }] }
    await expect(extractModule(big, reader(new Map()), 't', MAX)).rejects.toMatchObject({ code: 'WG_ERR_OCI_FORMAT' })
    const two = { ...odd, config: { ...cfg, mediaType: MediaType.CncfConfig }, layers: [big.layers[0]!, big.layers[0]!] }
    await expect(extractModule(two, reader(new Map()), 't', MAX)).rejects.toMatchObject({ code: 'WG_ERR_OCI_FORMAT' })
  })
})

describe('index selection', () => {
  const d = (os: string, architecture: string, n: number) => ({ mediaType: MediaType.OciManifest, digest: `sha256:${String(n).repeat(64)}`, size: 1, platform: { os, architecture } })
  it('prefers wasm/wasip1, then linux/amd64, and skips attestation entries', () => {
    expect(selectFromIndex([d('linux', 'amd64', 1), d('wasip1', 'wasm', 2)], 't').digest).toBe(d('', '', 2).digest)
    expect(selectFromIndex([d('linux', 'arm64', 3), d('linux', 'amd64', 1), d('unknown', 'unknown', 4)], 't').digest).toBe(d('', '', 1).digest)
    expect(selectFromIndex([d('linux', 'arm64', 3), d('unknown', 'unknown', 4)], 't').digest).toBe(d('', '', 3).digest)
    expect(() => selectFromIndex([d('linux', 'arm64', 3), d('linux', 's390x', 5)], 't')).toThrow(expect.objectContaining({ code: 'WG_ERR_OCI_FORMAT' }))
  })
})

describe('tar reader', () => {
  it('finds a file by basename under a directory, behind GNU long-name and pax records', () => {
    const longName = `${'d'.repeat(120)}/plugin.wasm`
    const gnu = Buffer.concat([rawEntry('././@LongLink', 'L', Buffer.from(`${longName}\0`)), rawEntry('truncated', '0', Buffer.from('AAAA')), Buffer.alloc(1024)])
    expect(Buffer.from(findInTar(gnu, 'plugin.wasm', 't')!).toString()).toBe('AAAA')
    const record = ` path=${longName}\n`
    const paxText = `${record.length + String(record.length + 3).length}${record}`
    const pax = Buffer.concat([rawEntry('PaxHeaders/x', 'x', Buffer.from(paxText)), rawEntry('short', '0', Buffer.from('BBBB')), Buffer.alloc(1024)])
    expect(Buffer.from(findInTar(pax, 'plugin.wasm', 't')!).toString()).toBe('BBBB')
    expect(findInTar(writeTar([{ name: 'dir/plugin.wasm', bytes: Buffer.from('C') }]), 'plugin.wasm', 't')).toEqual(Buffer.from('C'))
    expect(findInTar(writeTar([{ name: 'other', bytes: Buffer.from('C') }]), 'plugin.wasm', 't')).toBeUndefined()
  })

  it('refuses a corrupted header or an entry running past the end', () => {
    const tar = writeTar([{ name: 'plugin.wasm', bytes: Buffer.alloc(600) }])
    const badSum = Buffer.from(tar)
    badSum[0] = 0x41
    expect(() => findInTar(badSum, 'plugin.wasm', 't')).toThrow(expect.objectContaining({ code: 'WG_ERR_OCI_FORMAT' }))
    expect(() => findInTar(tar.subarray(0, 700), 'plugin.wasm', 't')).toThrow(expect.objectContaining({ code: 'WG_ERR_OCI_FORMAT' }))
  })

  it('fuzz: mutated archives only ever give a result or WG_ERR_OCI_FORMAT', () => {
    const tar = writeTar([{ name: 'a', bytes: Buffer.alloc(700, 1) }, { name: 'plugin.wasm', bytes: wasm }])
    let seed = 7
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed % n
    }
    for (let i = 0; i < 2000; i++) {
      const input = Buffer.from(tar)
      for (let k = 0; k <= rand(3); k++) input[rand(i % 3 === 0 ? 512 : input.length)] = rand(256)
      try {
        findInTar(input.subarray(0, input.length - rand(600)), 'plugin.wasm', 'fuzz')
      } catch (err) {
        if (!isWasmgateError(err, 'WG_ERR_OCI_FORMAT')) throw err
      }
    }
  })
})

function rawEntry(name: string, type: string, data: Buffer): Buffer {
  const one = writeTar([{ name, bytes: data }])
  const header = Buffer.from(one.subarray(0, 512))
  header.write(type, 156, 'ascii')
  header.write('        ', 148, 'ascii')
  let sum = 0
  for (const b of header) sum += b
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii')
  return Buffer.concat([header, one.subarray(512, one.length - 1024)])
}

describe('manifest decoder (untrusted input)', () => {
  const good = buildImage(wasm).manifest

  it('checks types, digests and sizes', () => {
    const bad = (doc: unknown) => () => parseManifest(Buffer.from(JSON.stringify(doc)), MediaType.OciManifest, 't')
    const base = JSON.parse(good.toString())
    expect(bad({ ...base, schemaVersion: 1 })).toThrow(expect.objectContaining({ code: 'WG_ERR_OCI_FORMAT' }))
    expect(bad({ ...base, layers: [{ ...base.layers[0], digest: 'md5:abc' }] })).toThrow(expect.objectContaining({ code: 'WG_ERR_OCI_FORMAT' }))
    expect(bad({ ...base, layers: [{ ...base.layers[0], size: -1 }] })).toThrow(expect.objectContaining({ code: 'WG_ERR_OCI_FORMAT' }))
    expect(bad({ ...base, mediaType: MediaType.DockerManifest })).toThrow(expect.objectContaining({ code: 'WG_ERR_OCI_FORMAT' }))
    expect(() => parseManifest(Buffer.from('{'), MediaType.OciManifest, 't')).toThrow(expect.objectContaining({ code: 'WG_ERR_OCI_FORMAT' }))
  })

  it('fuzz: random byte and JSON-value mutations only ever give WG_ERR_OCI_FORMAT', () => {
    let seed = 12345
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed % n
    }
    const values: unknown[] = [null, 0, -1, 1.5, 2 ** 60, '', 'x', 'sha256:', [], {}, [1], { a: 1 }, true]
    for (let i = 0; i < 3000; i++) {
      let input: Buffer
      if (i % 2 === 0) {
        input = Buffer.from(good)
        for (let k = 0; k <= rand(4); k++) input[rand(input.length)] = rand(256)
      } else {
        const doc = JSON.parse(good.toString())
        const paths = [doc, doc.config, doc.layers, doc.layers[0], doc.layers[1], doc.annotations]
        const target = paths[rand(paths.length)]
        const keys = Object.keys(target)
        target[keys[rand(keys.length)]!] = values[rand(values.length)]
        input = Buffer.from(JSON.stringify(doc))
      }
      for (const ct of [MediaType.OciManifest, '', MediaType.OciIndex]) {
        try {
          parseManifest(input, ct, 'fuzz')
        } catch (err) {
          if (!isWasmgateError(err, 'WG_ERR_OCI_FORMAT')) throw err
        }
      }
    }
  })
})
