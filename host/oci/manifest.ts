/**
 * @module
 * Decodes manifest and index JSON from a registry into checked descriptors. The bytes are
 * untrusted: every field is type-checked, digests must be sha256, sizes safe integers, and any
 * violation gives WG_ERR_OCI_FORMAT (never a TypeError). Old ORAS wrote manifests without a
 * `mediaType` field, so the Content-Type decides when the field is absent.
 */
import { WasmgateError } from '../errors.ts'
import { MediaType } from './media-types.ts'

export interface Descriptor {
  readonly mediaType: string
  readonly digest: string
  readonly size: number
  readonly annotations?: Readonly<Record<string, string>>
}

export interface PlatformDescriptor extends Descriptor {
  readonly platform?: { readonly os: string; readonly architecture: string }
}

export type ParsedManifest =
  | {
      readonly kind: 'manifest'
      readonly mediaType: string
      readonly config: Descriptor
      readonly layers: readonly Descriptor[]
      readonly annotations: Readonly<Record<string, string>>
      readonly artifactType?: string
    }
  | { readonly kind: 'index'; readonly mediaType: string; readonly manifests: readonly PlatformDescriptor[] }

const INDEX_TYPES = new Set<string>([MediaType.OciIndex, MediaType.DockerManifestList])
const GENERIC_TYPES = new Set(['', 'application/json', 'text/plain', 'application/octet-stream'])
const DIGEST_RE = /^sha256:[a-f0-9]{64}$/

export function parseManifest(bytes: Uint8Array, contentType: string, what: string): ParsedManifest {
  const fail = (problem: string): never => {
    throw new WasmgateError('WG_ERR_OCI_FORMAT', [what, problem])
  }
  let doc: unknown
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch {
    return fail('the manifest is not JSON')
  }
  if (!isObject(doc)) return fail('the manifest is not a JSON object')
  if (doc.schemaVersion !== 2) fail(`schemaVersion is ${JSON.stringify(doc.schemaVersion)}, expected 2`)
  const declared = doc.mediaType
  if (declared !== undefined && typeof declared !== 'string') fail('mediaType is not a string')
  let mediaType = GENERIC_TYPES.has(contentType) ? '' : contentType
  if (typeof declared === 'string' && declared !== '') {
    if (mediaType !== '' && declared !== mediaType) fail(`the body says mediaType ${declared} but the registry sent ${mediaType}`)
    mediaType = declared
  }
  if (mediaType === '') mediaType = Array.isArray(doc.manifests) ? MediaType.OciIndex : MediaType.OciManifest

  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(doc.manifests)) return fail('the index has no manifests array')
    const manifests = doc.manifests.map((m, i) => {
      const d = descriptor(m, `manifests[${i}]`, fail)
      const p = isObject(m) ? m.platform : undefined
      if (p === undefined) return d
      if (!isObject(p) || typeof p.os !== 'string' || typeof p.architecture !== 'string') return fail(`manifests[${i}].platform needs os and architecture strings`)
      return { ...d, platform: { os: p.os, architecture: p.architecture } }
    })
    return { kind: 'index', mediaType, manifests }
  }
  if (mediaType !== MediaType.OciManifest && mediaType !== MediaType.DockerManifest) {
    return fail(`unsupported manifest media type ${mediaType}`)
  }
  if (!Array.isArray(doc.layers)) return fail('the manifest has no layers array')
  const config = descriptor(doc.config, 'config', fail)
  const layers = doc.layers.map((l, i) => descriptor(l, `layers[${i}]`, fail))
  const artifactType = typeof doc.artifactType === 'string' ? doc.artifactType : undefined
  return {
    kind: 'manifest',
    mediaType,
    config,
    layers,
    annotations: annotations(doc.annotations, 'annotations', fail),
    ...(artifactType === undefined ? {} : { artifactType }),
  }
}

function descriptor(value: unknown, path: string, fail: (p: string) => never): Descriptor {
  if (!isObject(value)) return fail(`${path} is not an object`)
  if (typeof value.mediaType !== 'string' || value.mediaType === '') fail(`${path}.mediaType is missing`)
  if (typeof value.digest !== 'string' || !DIGEST_RE.test(value.digest)) fail(`${path}.digest must be sha256:<64 hex> (got ${JSON.stringify(value.digest)})`)
  if (typeof value.size !== 'number' || !Number.isSafeInteger(value.size) || value.size < 0) fail(`${path}.size must be a non-negative integer`)
  const out: Descriptor = { mediaType: value.mediaType as string, digest: value.digest as string, size: value.size as number }
  return value.annotations === undefined ? out : { ...out, annotations: annotations(value.annotations, `${path}.annotations`, fail) }
}

function annotations(value: unknown, path: string, fail: (p: string) => never): Record<string, string> {
  if (value === undefined) return {}
  if (!isObject(value)) return fail(`${path} is not an object`)
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') fail(`${path}.${k} is not a string`)
    out[k] = v as string
  }
  return out
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
