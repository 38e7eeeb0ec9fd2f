/**
 * @module
 * Image references: `[oci://]REGISTRY/REPOSITORY[:TAG][@sha256:HEX]`, parsed, checked and
 * normalised the way docker and go-containerregistry do, so a ref means the same thing here as
 * in Istio's `WasmPlugin.url`.
 */
import { WasmgateError } from '../errors.ts'

export interface ImageReference {
  /** The registry as written (host[:port]); the key used for credentials. */
  readonly registry: string
  /** host[:port] the API is served from. */
  readonly apiHost: string
  /** Repository path, e.g. `filters/auth`. */
  readonly repository: string
  readonly tag: string | undefined
  /** `sha256:<64 hex>` when the reference pins a manifest digest. */
  readonly digest: string | undefined
}

// From the distribution spec (opencontainers/distribution-spec, "Pulling manifests").
const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*'
const NAME_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`)
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/
const DIGEST_RE = /^sha256:[a-f0-9]{64}$/
const HOST_RE = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::[0-9]{1,5})?$/

/** Parses and normalises a reference; throws WG_ERR_OCI_REFERENCE naming what is wrong. */
export function parseReference(input: string): ImageReference {
  const fail = (problem: string): never => {
    throw new WasmgateError('WG_ERR_OCI_REFERENCE', [JSON.stringify(input), problem])
  }
  let rest = input.trim()
  if (rest.startsWith('oci://')) rest = rest.slice('oci://'.length)
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rest)) fail('only the oci:// scheme names an image')
  if (rest === '') fail('it is empty')

  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!DIGEST_RE.test(digest)) fail('the digest must be sha256: followed by 64 lowercase hex digits')
  }

  let tag: string | undefined
  const lastSlash = rest.lastIndexOf('/')
  const colon = rest.lastIndexOf(':')
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
    if (!TAG_RE.test(tag)) fail(`tag ${JSON.stringify(tag)} is not valid (letters, digits, _ . -, at most 128)`)
  }

  // The registry is always explicit: no default registry is implied (docker's short names would
  // silently send a filter reference to a public registry).
  const firstSlash = rest.indexOf('/')
  const first = firstSlash >= 0 ? rest.slice(0, firstSlash) : ''
  // docker's rule: the first component is a registry when it looks like a host.
  if (!(first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['))) {
    fail('it must start with the registry host, e.g. localhost:5000/filters/auth:v1 or ghcr.io/org/auth:v1')
  }
  const registry = first
  const repository = rest.slice(firstSlash + 1)
  if (!HOST_RE.test(registry)) fail(`registry ${JSON.stringify(registry)} is not a valid host[:port]`)
  if (!NAME_RE.test(repository)) {
    fail(`repository ${JSON.stringify(repository)} must be lowercase path components of letters, digits and . _ -`)
  }
  if (tag === undefined && digest === undefined) tag = 'latest'
  return { registry, apiHost: registry, repository, tag, digest }
}

/** Canonical text: `registry/repository[:tag][@digest]`. */
export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag === undefined ? '' : `:${ref.tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`
}

/** What a manifest request names: the digest when pinned (it wins over a tag), else the tag. */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest'
}

/** The same repository pinned to a digest (tag dropped). */
export function withDigest(ref: ImageReference, digest: string): ImageReference {
  return { ...ref, tag: undefined, digest }
}

/** Loopback registries may be spoken to over plain http without --insecure, as docker allows. */
export function isLoopbackHost(hostPort: string): boolean {
  let host: string
  try {
    // The URL parser normalises the host exactly as fetch will connect to it (127.1 is 127.0.0.1).
    host = new URL(`http://${hostPort}/`).hostname
  } catch {
    return false
  }
  return host === 'localhost' || host === '[::1]' || /^127\.[0-9]+\.[0-9]+\.[0-9]+$/.test(host)
}

export function isDigest(value: string): boolean {
  return DIGEST_RE.test(value)
}
