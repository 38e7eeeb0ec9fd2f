/**
 * @module
 * A small OCI distribution client over undici's fetch: manifests (GET/HEAD/PUT with explicit
 * Accept lists), blobs (exists, verified streaming GET that follows CDN redirects, monolithic
 * POST→PUT and chunked PATCH uploads) and tag listing. Auth is answered per 401 by RegistryAuth.
 * Plain http is spoken only to loopback registries or with `insecure`.
 */
import { rootCertificates } from 'node:tls'
import { Agent, fetch, type Dispatcher, type Response } from 'undici'
import { WasmgateError } from '../errors.ts'
import { describeFetchError, RegistryAuth } from './auth.ts'
import { parseChallenges } from './challenge.ts'
import type { CredentialSource } from './credentials.ts'
import { digestOf, readVerified } from './digest.ts'
import { MANIFEST_ACCEPT } from './media-types.ts'
import { isLoopbackHost } from './reference.ts'
import { uploadBlob, type UploadProgress } from './upload.ts'

export interface RegistryClientOptions {
  /** Allow plain http and unverified TLS for any host (loopback gets http without it). */
  readonly insecure?: boolean
  /** Extra PEM CA(s) trusted besides the system roots. */
  readonly caPem?: string | Buffer
  readonly credentials?: CredentialSource
  /** Overrides the undici Agent (its TLS options then win over caPem/insecure). */
  readonly dispatcher?: Dispatcher
  readonly userAgent?: string
  /** Registry `Warning: 299` texts. */
  readonly onWarning?: (text: string) => void
  /** Cap on manifest and tag-list bodies; registries must accept 4 MiB, so we read no more. */
  readonly maxManifestBytes?: number
  /** Longest wait for response headers, or between body bytes; a stalled registry fails instead of hanging a load. */
  readonly timeoutMs?: number
}

export interface ManifestResult {
  readonly bytes: Buffer
  readonly digest: string
  readonly mediaType: string
}

export interface RequestSpec {
  readonly repo?: string
  readonly push?: boolean
  readonly headers?: Record<string, string>
  /** Called again on an auth retry, so a body can be replayed. */
  readonly body?: () => Buffer | ReadableStream<Uint8Array>
  readonly expect: readonly number[]
  /** Names the object for errors: `manifest filters/a:v1`. */
  readonly what: string
}

const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024
const DEFAULT_TIMEOUT_MS = 30_000
const NOT_FOUND_CODES = new Set(['MANIFEST_UNKNOWN', 'NAME_UNKNOWN', 'BLOB_UNKNOWN'])

export class RegistryClient {
  readonly registry: string
  readonly #apiHost: string
  readonly #options: RegistryClientOptions
  readonly #dispatcher: Dispatcher
  readonly #ownsDispatcher: boolean
  readonly #auth: RegistryAuth
  #origin: Promise<string> | undefined

  constructor(registry: string, apiHost: string = registry, options: RegistryClientOptions = {}) {
    this.registry = registry
    this.#apiHost = apiHost
    this.#options = options
    this.#ownsDispatcher = options.dispatcher === undefined
    this.#dispatcher =
      options.dispatcher ??
      new Agent({
        headersTimeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        bodyTimeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        connect: {
          timeout: Math.min(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 10_000),
          rejectUnauthorized: options.insecure !== true,
          ...(options.caPem === undefined ? {} : { ca: [...rootCertificates, options.caPem.toString()] }),
        },
      })
    this.#auth = new RegistryAuth({
      registry,
      credentials: options.credentials,
      dispatcher: this.#dispatcher,
      insecure: options.insecure === true,
      userAgent: this.userAgent,
    })
  }

  get userAgent(): string {
    return this.#options.userAgent ?? 'wasmgate'
  }

  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close()
  }

  /** Checks the registry answers /v2/ and that our credentials (if any) are accepted there. */
  async ping(): Promise<void> {
    const res = await this.request('GET', '/v2/', { expect: [200], what: 'the API root /v2/' })
    await res.body?.cancel()
  }

  /** The digest a tag points at, or undefined when it does not exist; a cheap HEAD. */
  async headManifest(repo: string, reference: string): Promise<{ digest: string; mediaType: string; size: number } | undefined> {
    const res = await this.request('HEAD', `/v2/${repo}/manifests/${reference}`, {
      repo,
      headers: { accept: MANIFEST_ACCEPT },
      expect: [200, 404],
      what: `manifest ${repo}:${reference}`,
    })
    if (res.status === 404) return undefined
    const digest = res.headers.get('docker-content-digest')
    if (digest === null) {
      const full = await this.getManifest(repo, reference) // some registries omit the header on HEAD
      return { digest: full.digest, mediaType: full.mediaType, size: full.bytes.length }
    }
    return { digest, mediaType: contentType(res) ?? '', size: Number(res.headers.get('content-length') ?? 0) }
  }

  async getManifest(repo: string, reference: string): Promise<ManifestResult> {
    const what = `manifest ${repo}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`
    const res = await this.request('GET', `/v2/${repo}/manifests/${reference}`, { repo, headers: { accept: MANIFEST_ACCEPT }, expect: [200], what })
    const bytes = await this.#readCapped(res, what)
    const digest = digestOf(bytes)
    const claimed = res.headers.get('docker-content-digest')
    if (reference.startsWith('sha256:') && digest !== reference) throw new WasmgateError('WG_ERR_OCI_DIGEST_MISMATCH', [what, digest, reference])
    if (claimed !== null && claimed.startsWith('sha256:') && claimed !== digest) throw new WasmgateError('WG_ERR_OCI_DIGEST_MISMATCH', [what, digest, claimed])
    return { bytes, digest, mediaType: contentType(res) ?? '' }
  }

  /** Stores a manifest under a tag or digest; returns its digest (checked against the registry's). */
  async putManifest(repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const what = `manifest ${repo}:${reference}`
    const res = await this.request('PUT', `/v2/${repo}/manifests/${reference}`, {
      repo,
      push: true,
      headers: { 'content-type': mediaType },
      body: () => bytes,
      expect: [201, 200],
      what,
    })
    await res.body?.cancel()
    const digest = digestOf(bytes)
    const claimed = res.headers.get('docker-content-digest')
    if (claimed !== null && claimed !== digest) throw new WasmgateError('WG_ERR_OCI_DIGEST_MISMATCH', [what, claimed, digest])
    return digest
  }

  async hasBlob(repo: string, digest: string, push = false): Promise<boolean> {
    const res = await this.request('HEAD', `/v2/${repo}/blobs/${digest}`, { repo, push, expect: [200, 404], what: `blob ${digest}` })
    return res.status === 200
  }

  /** Downloads a blob, following redirects, refusing it unless size and sha256 match. */
  async fetchBlob(repo: string, descriptor: { digest: string; size: number }, onBytes?: (total: number) => void): Promise<Buffer> {
    const what = `blob ${descriptor.digest} of ${repo}`
    const res = await this.request('GET', `/v2/${repo}/blobs/${descriptor.digest}`, { repo, expect: [200], what })
    return readVerified(res.body, { what, digest: descriptor.digest, size: descriptor.size }, onBytes)
  }

  /** Uploads a blob unless the registry has it; returns whether bytes were sent. */
  async pushBlob(repo: string, bytes: Buffer, digest: string, options: { chunkSizeBytes?: number; onProgress?: UploadProgress } = {}): Promise<boolean> {
    if (await this.hasBlob(repo, digest, true)) return false
    await uploadBlob(this, repo, bytes, digest, options)
    return true
  }

  /** Every tag of a repository, sorted (distribution 2.8 does not sort), following `Link` pages. */
  async listTags(repo: string): Promise<string[]> {
    const tags: string[] = []
    let path: string | undefined = `/v2/${repo}/tags/list`
    for (let page = 0; path !== undefined && page < 100; page++) {
      const res: Response = await this.request('GET', path, { repo, expect: [200], what: `tags of ${repo}` })
      const body = JSON.parse((await this.#readCapped(res, `tags of ${repo}`)).toString('utf8')) as { tags?: unknown }
      if (Array.isArray(body.tags)) for (const t of body.tags) if (typeof t === 'string') tags.push(t)
      const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(res.headers.get('link') ?? '')?.[1]
      path = next === undefined ? undefined : await this.resolveLocation(next)
    }
    return tags.sort()
  }

  /** Resolves an upload/Link location against the registry, refusing another host or an https→http downgrade. */
  async resolveLocation(location: string): Promise<string> {
    const origin = new URL(await this.#resolveOrigin())
    const url = new URL(location, origin)
    if (url.hostname !== origin.hostname || (origin.protocol === 'https:' && url.protocol !== 'https:')) {
      throw new WasmgateError('WG_ERR_OCI_REGISTRY', [this.registry, 'a Location on another host or scheme', url.origin])
    }
    return url.href
  }

  /**
   * One request with auth: sends the known Authorization for the scope, answers one 401
   * challenge and retries once. Statuses not in `expect` become WasmgateErrors.
   */
  async request(method: string, pathOrUrl: string, spec: RequestSpec): Promise<Response> {
    const url = pathOrUrl.startsWith('/') ? `${await this.#resolveOrigin()}${pathOrUrl}` : pathOrUrl
    const scopeKey = spec.repo === undefined ? '' : `${spec.repo}:${spec.push === true ? 'pull,push' : 'pull'}`
    const scope = spec.repo === undefined ? undefined : `repository:${scopeKey}`
    let authorization = this.#auth.headerFor(scopeKey)
    for (let attempt = 0; ; attempt++) {
      const res = await this.#send(method, url, spec, authorization)
      if (res.status === 401 && attempt === 0) {
        await res.body?.cancel()
        authorization = await this.#auth.answer(parseChallenges(res.headers.get('www-authenticate')), scopeKey, scope)
        continue
      }
      this.#warn(res)
      if (spec.expect.includes(res.status)) return res
      throw await this.#statusError(res, spec.what, authorization !== undefined)
    }
  }

  async #send(method: string, url: string, spec: RequestSpec, authorization: string | undefined): Promise<Response> {
    const headers: Record<string, string> = { 'user-agent': this.userAgent, ...spec.headers }
    if (authorization !== undefined) headers.authorization = authorization
    const body = spec.body?.()
    try {
      return await fetch(url, {
        method,
        headers,
        dispatcher: this.#dispatcher,
        // Only reads may follow redirects (blob GETs go to CDNs; fetch drops Authorization cross-origin).
        redirect: method === 'GET' || method === 'HEAD' ? 'follow' : 'manual',
        ...(body === undefined ? {} : { body, duplex: 'half' as const }),
      })
    } catch (err) {
      throw new WasmgateError('WG_ERR_OCI_UNREACHABLE', [this.registry, describeFetchError(err)], { cause: err })
    }
  }

  /** https first; loopback or insecure registries fall back to http when https does not answer. */
  #resolveOrigin(): Promise<string> {
    this.#origin ??= (async () => {
      const httpsOrigin = `https://${this.#apiHost}`
      const mayUseHttp = this.#options.insecure === true || isLoopbackHost(this.#apiHost)
      try {
        const res = await fetch(`${httpsOrigin}/v2/`, { method: 'GET', headers: { 'user-agent': this.userAgent }, dispatcher: this.#dispatcher })
        await res.body?.cancel()
        return httpsOrigin
      } catch (httpsErr) {
        if (!mayUseHttp) {
          if (/WRONG_VERSION_NUMBER|EPROTO/.test(describeFetchError(httpsErr))) throw new WasmgateError('WG_ERR_OCI_INSECURE', [this.registry], { cause: httpsErr })
          throw new WasmgateError('WG_ERR_OCI_UNREACHABLE', [this.registry, describeFetchError(httpsErr)], { cause: httpsErr })
        }
        const httpOrigin = `http://${this.#apiHost}`
        try {
          const res = await fetch(`${httpOrigin}/v2/`, { method: 'GET', headers: { 'user-agent': this.userAgent }, dispatcher: this.#dispatcher })
          await res.body?.cancel()
          if (res.status === 200 || res.status === 401) return httpOrigin
        } catch {
          // report the https failure below: it is the more telling one
        }
        throw new WasmgateError('WG_ERR_OCI_UNREACHABLE', [this.registry, describeFetchError(httpsErr)], { cause: httpsErr })
      }
    })()
    this.#origin.catch(() => (this.#origin = undefined)) // a later call may try again
    return this.#origin
  }

  async #readCapped(res: Response, what: string): Promise<Buffer> {
    const max = this.#options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES
    const chunks: Buffer[] = []
    let total = 0
    if (res.body !== null) {
      for await (const chunk of res.body) {
        total += chunk.byteLength
        if (total > max) throw new WasmgateError('WG_ERR_OCI_SIZE_MISMATCH', [what, `more than ${max}`, `at most ${max}`])
        chunks.push(Buffer.from(chunk))
      }
    }
    return Buffer.concat(chunks, total)
  }

  #warn(res: Response): void {
    const header = res.headers.get('warning')
    if (header === null || this.#options.onWarning === undefined) return
    for (const m of header.matchAll(/299\s+\S+\s+"((?:[^"\\]|\\.)*)"/g)) this.#options.onWarning(m[1]!)
  }

  async #statusError(res: Response, what: string, sentAuth: boolean): Promise<WasmgateError> {
    const text = (await res.text().catch(() => '')).slice(0, 2000)
    let detail = text.trim().slice(0, 300) || res.statusText
    const codes: string[] = []
    try {
      const errors = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors ?? []
      for (const e of errors) if (e.code) codes.push(e.code)
      if (errors.length > 0) detail = errors.map((e) => `${e.code ?? '?'}: ${e.message ?? ''}`).join('; ')
    } catch {
      // not the registry error JSON; keep the text
    }
    if (res.status === 401) {
      const challenge = parseChallenges(res.headers.get('www-authenticate'))[0]
      const reason = challenge?.params.error === 'insufficient_scope' ? 'the token does not grant this action (insufficient_scope)' : sentAuth ? 'the credentials were rejected' : 'authentication required'
      return new WasmgateError('WG_ERR_OCI_AUTH', [this.registry, `${reason} for ${what}`])
    }
    if (res.status === 403) return new WasmgateError('WG_ERR_OCI_AUTH', [this.registry, `access denied to ${what}: ${detail}`])
    if (res.status === 404 || codes.some((c) => NOT_FOUND_CODES.has(c))) return new WasmgateError('WG_ERR_OCI_NOT_FOUND', [what, detail])
    if (res.status === 429) {
      const after = res.headers.get('retry-after')
      return new WasmgateError('WG_ERR_OCI_REGISTRY', [this.registry, 'HTTP 429', `too many requests${after === null ? '' : `; retry after ${after} s`}`])
    }
    return new WasmgateError('WG_ERR_OCI_REGISTRY', [this.registry, `HTTP ${res.status} for ${what}`, detail])
  }
}

function contentType(res: Response): string | undefined {
  return res.headers.get('content-type')?.split(';')[0]?.trim()
}
