/**
 * @module
 * Pulls a Wasm filter by reference, through the local cache. Pull policies follow Istio:
 * `IfNotPresent` uses any cached copy of the tag; `Always` sends one manifest HEAD and
 * downloads only when the tag moved. A digest-pinned reference never goes back to the registry
 * once cached.
 */
import { WasmgateError } from '../errors.ts'
import { extractModule, selectFromIndex } from './artifact.ts'
import { defaultCacheDir, OciCache, type ImageRecord } from './cache.ts'
import { RegistryClient, type RegistryClientOptions } from './client.ts'
import { createCredentialSource } from './credentials.ts'
import { sha256Hex } from './digest.ts'
import { parseManifest } from './manifest.ts'
import type { PulledFormat } from './media-types.ts'
import { formatReference, manifestReference, parseReference, type ImageReference } from './reference.ts'

export type PullPolicy = 'IfNotPresent' | 'Always'

export interface PullOptions extends RegistryClientOptions {
  readonly pullPolicy?: PullPolicy
  /** Cache directory; `false` disables the cache. Defaults to WASMGATE_CACHE_DIR or ~/.cache/wasmgate/oci. */
  readonly cacheDir?: string | false
  /**
   * Expected digest, hex with or without `sha256:`: either the module's sha256 (Envoy's meaning)
   * or the image manifest digest (Istio's meaning). A mismatch gives WG_ERR_WASM_SHA256_MISMATCH.
   */
  readonly sha256?: string
  /** Largest module accepted; Istio's default is 256 MiB. */
  readonly maxModuleBytes?: number
  readonly onProgress?: (bytesDone: number, bytesTotal: number) => void
}

export interface PulledModule {
  readonly bytes: Buffer
  /** Hex sha256 of the module bytes. */
  readonly sha256: string
  /** `sha256:…` the reference resolved to (what a moved tag changes). */
  readonly manifestDigest: string
  /** Canonical reference pinned to that digest: `registry/repo@sha256:…`. */
  readonly pinnedReference: string
  readonly reference: string
  readonly format: PulledFormat
  readonly annotations: Readonly<Record<string, string>>
  readonly rootIds: readonly string[]
  readonly abiVersions: readonly string[]
  readonly fromCache: boolean
}

const DEFAULT_MAX_MODULE_BYTES = 256 * 1024 * 1024

export async function pullWasmModule(reference: string, options: PullOptions = {}): Promise<PulledModule> {
  const ref = parseReference(reference)
  const canonical = formatReference(ref)
  const cache = options.cacheDir === false ? undefined : new OciCache(options.cacheDir ?? defaultCacheDir())
  const fromRecord = async (record: ImageRecord | undefined): Promise<PulledModule | undefined> => {
    if (record === undefined || cache === undefined) return undefined
    const bytes = await cache.readBlob(record.wasmDigest)
    return bytes === undefined ? undefined : finish(ref, record, bytes, true, options.sha256)
  }

  if (ref.digest !== undefined && cache !== undefined) {
    const hit = await fromRecord(await cache.readImage(ref.digest))
    if (hit !== undefined) return hit
  }
  const client = new RegistryClient(ref.registry, ref.apiHost, { credentials: createCredentialSource(), ...options })
  try {
    if (ref.digest === undefined && cache !== undefined) {
      const known = await cache.readTag(canonical)
      if (known !== undefined) {
        const current = options.pullPolicy === 'Always' ? (await client.headManifest(ref.repository, manifestReference(ref)))?.digest : known
        if (current === known) {
          const hit = await fromRecord(await cache.readImage(known))
          if (hit !== undefined) return hit
        }
      }
    }
    const { record, bytes } = await fetchImage(client, ref, options)
    const result = finish(ref, record, bytes, false, options.sha256)
    if (cache !== undefined) {
      await cache.writeBlob(record.wasmDigest, bytes)
      await cache.writeImage(record)
      if (ref.digest === undefined) await cache.writeTag(canonical, record.manifestDigest)
    }
    return result
  } finally {
    await client.close()
  }
}

/** The digest a reference points at now (one HEAD), for noticing a moved tag; undefined if gone. */
export async function resolveManifestDigest(reference: string, options: RegistryClientOptions = {}): Promise<string | undefined> {
  const ref = parseReference(reference)
  if (ref.digest !== undefined) return ref.digest
  const client = new RegistryClient(ref.registry, ref.apiHost, { credentials: createCredentialSource(), ...options })
  try {
    return (await client.headManifest(ref.repository, manifestReference(ref)))?.digest
  } finally {
    await client.close()
  }
}

async function fetchImage(client: RegistryClient, ref: ImageReference, options: PullOptions): Promise<{ record: ImageRecord; bytes: Buffer }> {
  const repo = ref.repository
  const what = formatReference(ref)
  const top = await client.getManifest(repo, manifestReference(ref))
  let image = top
  let parsed = parseManifest(top.bytes, top.mediaType, what)
  if (parsed.kind === 'index') {
    const picked = selectFromIndex(parsed.manifests, what)
    image = await client.getManifest(repo, picked.digest)
    parsed = parseManifest(image.bytes, image.mediaType, `${what} (${picked.digest})`)
    if (parsed.kind === 'index') throw new WasmgateError('WG_ERR_OCI_FORMAT', [what, 'an index inside an index is not supported'])
  }
  const maxModuleBytes = options.maxModuleBytes ?? DEFAULT_MAX_MODULE_BYTES
  const onProgress = options.onProgress
  const extracted = await extractModule(
    parsed,
    (d) => client.fetchBlob(repo, d, onProgress === undefined ? undefined : (n) => onProgress(n, d.size)),
    what,
    maxModuleBytes,
  )
  const bytes = extracted.wasm
  // Istio's isValidWasmBinary: at least 8 bytes starting with the \0asm magic.
  if (bytes.length < 8 || bytes.readUInt32BE(0) !== 0x0061736d) {
    throw new WasmgateError('WG_ERR_WASM_INVALID', [`the module in ${what} does not start with the \\0asm magic`])
  }
  const record: ImageRecord = {
    manifestDigest: top.digest,
    imageDigest: image.digest,
    wasmDigest: `sha256:${sha256Hex(bytes)}`,
    format: extracted.format,
    annotations: extracted.annotations,
    rootIds: extracted.rootIds,
    abiVersions: extracted.abiVersions,
  }
  return { record, bytes }
}

function finish(ref: ImageReference, record: ImageRecord, bytes: Buffer, fromCache: boolean, expected: string | undefined): PulledModule {
  const sha256 = record.wasmDigest.slice('sha256:'.length)
  if (expected !== undefined) {
    const want = expected.startsWith('sha256:') ? expected : `sha256:${expected}`
    if (want !== record.wasmDigest && want !== record.manifestDigest && want !== record.imageDigest) {
      throw new WasmgateError('WG_ERR_WASM_SHA256_MISMATCH', [`${sha256} (manifest ${record.manifestDigest})`, want])
    }
  }
  return {
    bytes,
    sha256,
    manifestDigest: record.manifestDigest,
    pinnedReference: `${ref.registry}/${ref.repository}@${record.manifestDigest}`,
    reference: formatReference(ref),
    format: record.format,
    annotations: record.annotations,
    rootIds: record.rootIds,
    abiVersions: record.abiVersions,
    fromCache,
  }
}
