/**
 * @module
 * Wasm image formats. We publish three shapes (solo-io "oci" by default, which Istio and Envoy
 * Gateway load; CNCF; compat) and read those plus Docker compat and wasm-to-oci images, picking
 * the extractor in Istio's order. Published bytes are deterministic: the same module and options
 * give the same manifest digest.
 */
import { gunzipSync, gzipSync } from 'node:zlib'
import { WasmgateError } from '../errors.ts'
import { digestOf } from './digest.ts'
import type { Descriptor, ParsedManifest, PlatformDescriptor } from './manifest.ts'
import { Annotation, MediaType, type ImageFormat, type PulledFormat } from './media-types.ts'
import { findInTar, writeTar } from './tar.ts'
import { describeWasmModule, type WasmModuleInfo } from './wasm-info.ts'

export interface BuildOptions {
  readonly format?: ImageFormat
  /** Root ids (plugin names) the module serves; go into the config and an annotation. */
  readonly rootIds?: readonly string[]
  /** Extra manifest annotations. */
  readonly annotations?: Readonly<Record<string, string>>
  /** Title of the wasm layer; defaults to `filter.wasm`. */
  readonly title?: string
  /** RFC 3339; defaults to the epoch so pushes are reproducible (set SOURCE_DATE_EPOCH for a real date). */
  readonly created?: string
}

export interface BuiltImage {
  readonly format: ImageFormat
  readonly manifest: Buffer
  readonly manifestMediaType: string
  readonly manifestDigest: string
  /** Unique blobs to upload, config first. */
  readonly blobs: readonly { readonly descriptor: Descriptor; readonly bytes: Buffer }[]
  readonly module: WasmModuleInfo
}

export function buildImage(wasm: Buffer, options: BuildOptions = {}): BuiltImage {
  const format = options.format ?? 'oci'
  const info = describeWasmModule(wasm, options.title ?? 'module')
  const rootIds = [...(options.rootIds ?? [])]
  const created = options.created ?? new Date(0).toISOString().replace('.000Z', 'Z')
  const annotations: Record<string, string> = {}
  if (info.abiVersions.length > 0) annotations[Annotation.AbiVersion] = info.abiVersions.join(',')
  if (rootIds.length > 0) annotations[Annotation.RootIds] = rootIds.join(',')
  const wasmDesc = (mediaType: string): Descriptor => ({
    mediaType,
    digest: `sha256:${info.sha256}`,
    size: wasm.length,
    annotations: { [Annotation.Title]: options.title ?? 'filter.wasm' },
  })
  // camelCase protobuf-JSON, as wasme writes it (the spec's prose example uses snake_case).
  const soloConfig = Buffer.from(JSON.stringify({ type: 'envoy_proxy', abiVersions: info.abiVersions, config: { rootIds } }))

  let config: Descriptor
  let configBytes: Buffer
  const blobs: { descriptor: Descriptor; bytes: Buffer }[] = []
  let layers: Descriptor[]
  if (format === 'oci') {
    annotations[Annotation.RuntimeType] = 'envoy_proxy'
    configBytes = soloConfig
    config = { mediaType: MediaType.SoloConfig, digest: digestOf(configBytes), size: configBytes.length, annotations: { [Annotation.Title]: 'runtime-config.json' } }
    // Istio requires exactly two layers: the runtime config again, then the raw module.
    layers = [config, wasmDesc(MediaType.SoloWasmLayer)]
    blobs.push({ descriptor: layers[1]!, bytes: wasm })
  } else if (format === 'cncf') {
    configBytes = Buffer.from(JSON.stringify({ created, architecture: 'wasm', os: 'wasip1', layerDigests: [`sha256:${info.sha256}`] }))
    config = { mediaType: MediaType.CncfConfig, digest: digestOf(configBytes), size: configBytes.length }
    layers = [wasmDesc(MediaType.CncfWasmLayer)]
    blobs.push({ descriptor: layers[0]!, bytes: wasm })
  } else {
    annotations[Annotation.Variant] = 'compat'
    const mtime = Math.floor(Date.parse(created) / 1000)
    const tar = writeTar([{ name: 'plugin.wasm', bytes: wasm }, { name: 'runtime-config.json', bytes: soloConfig }], mtime)
    const gz = gzipSync(tar, { level: 9 })
    configBytes = Buffer.from(
      JSON.stringify({ created, architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [digestOf(tar)] }, config: {} }),
    )
    config = { mediaType: MediaType.OciImageConfig, digest: digestOf(configBytes), size: configBytes.length }
    layers = [{ mediaType: MediaType.OciLayerTarGzip, digest: digestOf(gz), size: gz.length }]
    blobs.push({ descriptor: layers[0]!, bytes: gz })
  }
  blobs.unshift({ descriptor: config, bytes: configBytes })
  Object.assign(annotations, options.annotations)
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, config, layers, annotations }))
  return { format, manifest, manifestMediaType: MediaType.OciManifest, manifestDigest: digestOf(manifest), blobs, module: info }
}

/** Picks the image of an index: wasm/wasip1, then linux/amd64, then the only real entry. */
export function selectFromIndex(manifests: readonly PlatformDescriptor[], what: string): PlatformDescriptor {
  // buildx adds unknown/unknown attestation entries; they are never the image.
  const real = manifests.filter((m) => !(m.platform?.os === 'unknown' && m.platform.architecture === 'unknown'))
  const pick =
    real.find((m) => m.platform?.architecture === 'wasm' && m.platform.os.startsWith('wasip1')) ??
    real.find((m) => m.platform?.os === 'wasip1') ??
    real.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64') ??
    (real.length === 1 ? real[0] : undefined)
  if (pick === undefined) {
    const platforms = real.map((m) => (m.platform ? `${m.platform.os}/${m.platform.architecture}` : 'none')).join(', ')
    throw new WasmgateError('WG_ERR_OCI_FORMAT', [what, `the index has no wasm/wasip1 or linux/amd64 entry (platforms: ${platforms || 'none'})`])
  }
  return pick
}

export interface ExtractedModule {
  readonly wasm: Buffer
  readonly format: PulledFormat
  readonly annotations: Readonly<Record<string, string>>
  readonly rootIds: readonly string[]
  readonly abiVersions: readonly string[]
}

export type BlobReader = (descriptor: Descriptor) => Promise<Buffer>

/** Finds the module in any supported shape; `read` fetches (and verifies) one blob. */
export async function extractModule(manifest: Extract<ParsedManifest, { kind: 'manifest' }>, read: BlobReader, what: string, maxModuleBytes: number): Promise<ExtractedModule> {
  const { config, layers } = manifest
  const last = layers[layers.length - 1]
  const cap = (d: Descriptor, limit: number): Descriptor => {
    if (d.size > limit) throw new WasmgateError('WG_ERR_OCI_FORMAT', [what, `layer ${d.digest} is ${d.size} bytes, over the ${limit} byte limit`])
    return d
  }
  const base = { annotations: manifest.annotations }
  let format: PulledFormat
  let wasm: Buffer
  let runtimeConfig: unknown
  const isDockerCompat = manifest.mediaType === MediaType.DockerManifest && last?.mediaType === MediaType.DockerLayerTarGzip
  if (isDockerCompat || last?.mediaType === MediaType.OciLayerTarGzip) {
    format = isDockerCompat ? 'compat-docker' : 'compat'
    const gz = await read(cap(last!, maxModuleBytes))
    let tar: Buffer
    try {
      tar = gunzipSync(gz, { maxOutputLength: maxModuleBytes + 1024 * 1024 })
    } catch (err) {
      throw new WasmgateError('WG_ERR_OCI_FORMAT', [what, `the last layer is not valid gzip: ${(err as Error).message}`], { cause: err })
    }
    const found = findInTar(tar, 'plugin.wasm', what)
    if (found === undefined) throw new WasmgateError('WG_ERR_OCI_FORMAT', [what, 'the last layer holds no plugin.wasm'])
    wasm = Buffer.from(found)
    const rc = findInTar(tar, 'runtime-config.json', what)
    runtimeConfig = rc === undefined ? undefined : safeJson(rc)
  } else if (config.mediaType === MediaType.SoloConfig || layers.some((l) => l.mediaType === MediaType.SoloWasmLayer)) {
    format = 'oci'
    const layer = layers.find((l) => l.mediaType === MediaType.SoloWasmLayer)
    if (layer === undefined) throw new WasmgateError('WG_ERR_OCI_FORMAT', [what, `no ${MediaType.SoloWasmLayer} layer`])
    wasm = await read(cap(layer, maxModuleBytes))
    runtimeConfig = config.mediaType === MediaType.SoloConfig ? safeJson(await read(cap(config, 1024 * 1024))) : undefined
  } else if (config.mediaType === MediaType.CncfConfig || layers.some((l) => l.mediaType === MediaType.CncfWasmLayer)) {
    format = 'cncf'
    // The CNCF layout: consumers must reject more than one layer in this version.
    if (layers.length !== 1 || layers[0]!.mediaType !== MediaType.CncfWasmLayer) {
      throw new WasmgateError('WG_ERR_OCI_FORMAT', [what, `a CNCF Wasm image has exactly one ${MediaType.CncfWasmLayer} layer (got ${layers.length})`])
    }
    wasm = await read(cap(layers[0]!, maxModuleBytes))
  } else if (layers.some((l) => l.mediaType === MediaType.WasmToOciLayer)) {
    format = 'wasm-to-oci'
    wasm = await read(cap(layers.find((l) => l.mediaType === MediaType.WasmToOciLayer)!, maxModuleBytes))
  } else {
    const types = layers.map((l) => l.mediaType).join(', ') || 'no layers'
    throw new WasmgateError('WG_ERR_OCI_FORMAT', [what, `config ${config.mediaType} with layers [${types}] is no known Wasm image shape`])
  }
  const rc = (isRecord(runtimeConfig) ? runtimeConfig : {}) as Record<string, unknown>
  const inner = isRecord(rc.config) ? rc.config : {}
  const rootIds = strings(inner.rootIds ?? inner.root_ids) ?? splitList(manifest.annotations[Annotation.RootIds])
  const abiVersions = splitList(manifest.annotations[Annotation.AbiVersion]) ?? strings(rc.abiVersions ?? rc.abi_versions)
  return { ...base, wasm, format, rootIds: rootIds ?? [], abiVersions: abiVersions ?? [] }
}

function safeJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch {
    return undefined
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') && value.length > 0 ? (value as string[]) : undefined
}

function splitList(value: string | undefined): string[] | undefined {
  return value === undefined || value === '' ? undefined : value.split(',').map((s) => s.trim()).filter((s) => s !== '')
}
