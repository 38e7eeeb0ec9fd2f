/**
 * @module
 * Publishes a module: builds the image in the chosen format, uploads each blob the registry
 * lacks (config first), then PUTs the manifest under the tag with its own media type.
 */
import { WasmgateError } from '../errors.ts'
import { buildImage, type BuildOptions } from './artifact.ts'
import { RegistryClient, type RegistryClientOptions } from './client.ts'
import { createCredentialSource } from './credentials.ts'
import type { ImageFormat } from './media-types.ts'
import { formatReference, parseReference } from './reference.ts'

export interface PushOptions extends RegistryClientOptions, BuildOptions {
  /** Blobs larger than this go up in PATCH chunks of this size. */
  readonly chunkSizeBytes?: number
  readonly onProgress?: (event: { digest: string; mediaType: string; bytesSent: number; bytesTotal: number }) => void
}

export interface PushResult {
  /** Canonical reference pushed to. */
  readonly reference: string
  /** `registry/repo@sha256:…` of the manifest. */
  readonly pinnedReference: string
  readonly manifestDigest: string
  readonly manifestMediaType: string
  readonly format: ImageFormat
  /** Hex sha256 of the module. */
  readonly sha256: string
  readonly sizeBytes: number
  readonly abiVersions: readonly string[]
  readonly blobs: readonly { digest: string; mediaType: string; size: number; uploaded: boolean }[]
}

export async function pushWasmModule(wasm: Buffer, reference: string, options: PushOptions = {}): Promise<PushResult> {
  const ref = parseReference(reference)
  const image = buildImage(wasm, options)
  if (ref.digest !== undefined && ref.digest !== image.manifestDigest) {
    throw new WasmgateError('WG_ERR_OCI_REFERENCE', [reference, `the image built has digest ${image.manifestDigest}, not the one in the reference`])
  }
  const client = new RegistryClient(ref.registry, ref.apiHost, { credentials: createCredentialSource(), ...options })
  try {
    const blobs: PushResult['blobs'][number][] = []
    for (const { descriptor, bytes } of image.blobs) {
      const onProgress = options.onProgress
      const uploaded = await client.pushBlob(ref.repository, bytes, descriptor.digest, {
        ...(options.chunkSizeBytes === undefined ? {} : { chunkSizeBytes: options.chunkSizeBytes }),
        ...(onProgress === undefined
          ? {}
          : { onProgress: (bytesSent: number, bytesTotal: number) => onProgress({ digest: descriptor.digest, mediaType: descriptor.mediaType, bytesSent, bytesTotal }) }),
      })
      blobs.push({ digest: descriptor.digest, mediaType: descriptor.mediaType, size: descriptor.size, uploaded })
    }
    const digest = await client.putManifest(ref.repository, ref.tag ?? image.manifestDigest, image.manifest, image.manifestMediaType)
    return {
      reference: formatReference(ref),
      pinnedReference: `${ref.registry}/${ref.repository}@${digest}`,
      manifestDigest: digest,
      manifestMediaType: image.manifestMediaType,
      format: image.format,
      sha256: image.module.sha256,
      sizeBytes: wasm.length,
      abiVersions: image.module.abiVersions,
      blobs,
    }
  } finally {
    await client.close()
  }
}
