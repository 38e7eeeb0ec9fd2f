/**
 * @module
 * Answers a registry's 401 challenge: Basic with the user's credentials, or a distribution
 * Bearer token fetched from the challenge's realm (GET with Basic for user/password, the OAuth2
 * POST form for identity tokens). Tokens are cached per scope; a pull-only token is never reused
 * for a push, so a push asks for `pull,push` up front.
 */
import { fetch, type Dispatcher } from 'undici'
import { WasmgateError } from '../errors.ts'
import type { Challenge } from './challenge.ts'
import type { Credential, CredentialSource } from './credentials.ts'
import { isLoopbackHost } from './reference.ts'

export interface RegistryAuthOptions {
  readonly registry: string
  readonly credentials: CredentialSource | undefined
  readonly dispatcher: Dispatcher
  readonly insecure: boolean
  readonly userAgent: string
}

export class RegistryAuth {
  readonly #options: RegistryAuthOptions
  /** Authorization header per scope key; `*` holds Basic, which covers every scope. */
  readonly #headers = new Map<string, string>()
  #credential: Promise<Credential | undefined> | undefined

  constructor(options: RegistryAuthOptions) {
    this.#options = options
  }

  /** The header to send first for this scope, if one is known (saves a 401 round trip). */
  headerFor(scopeKey: string): string | undefined {
    return this.#headers.get('*') ?? this.#headers.get(scopeKey)
  }

  /** Works out a new Authorization header from a challenge; throws WG_ERR_OCI_AUTH when it cannot. */
  async answer(challenges: readonly Challenge[], scopeKey: string, scope: string | undefined): Promise<string> {
    const registry = this.#options.registry
    const bearer = challenges.find((c) => c.scheme === 'bearer')
    const basic = challenges.find((c) => c.scheme === 'basic')
    const credential = await this.#loadCredential()
    if (bearer !== undefined) {
      const header = `Bearer ${await this.#fetchToken(bearer, scope ?? bearer.params.scope, credential)}`
      this.#headers.set(scopeKey, header)
      return header
    }
    if (basic !== undefined) {
      if (credential?.username === undefined) {
        throw new WasmgateError('WG_ERR_OCI_AUTH', [registry, 'authentication required and no credentials were found for it'])
      }
      const header = `Basic ${Buffer.from(`${credential.username}:${credential.password ?? ''}`).toString('base64')}`
      this.#headers.set('*', header)
      return header
    }
    const schemes = challenges.map((c) => c.scheme).join(', ') || 'none'
    throw new WasmgateError('WG_ERR_OCI_AUTH', [registry, `unsupported authentication scheme (${schemes})`])
  }

  #loadCredential(): Promise<Credential | undefined> {
    this.#credential ??= this.#options.credentials?.(this.#options.registry) ?? Promise.resolve(undefined)
    return this.#credential
  }

  async #fetchToken(challenge: Challenge, scope: string | undefined, credential: Credential | undefined): Promise<string> {
    const registry = this.#options.registry
    if (credential?.registryToken) return credential.registryToken
    const realm = challenge.params.realm
    let url: URL
    try {
      url = new URL(realm ?? '')
    } catch {
      throw new WasmgateError('WG_ERR_OCI_AUTH', [registry, `the Bearer challenge has no valid realm (${String(realm)})`])
    }
    if (url.protocol === 'http:' && !this.#options.insecure && !isLoopbackHost(url.host)) {
      throw new WasmgateError('WG_ERR_OCI_INSECURE', [`token server ${url.origin}`])
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new WasmgateError('WG_ERR_OCI_AUTH', [registry, `the token realm ${url.href} is not http(s)`])
    }
    const service = challenge.params.service
    const headers: Record<string, string> = { 'user-agent': this.#options.userAgent }
    let init: { method: string; body?: string }
    if (credential?.identityToken) {
      // OAuth2 refresh-token grant (distribution's oauth.md), used for identity tokens.
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credential.identityToken, client_id: 'wasmgate' })
      if (service !== undefined) form.set('service', service)
      if (scope !== undefined) form.set('scope', scope)
      headers['content-type'] = 'application/x-www-form-urlencoded'
      init = { method: 'POST', body: form.toString() }
    } else {
      if (service !== undefined) url.searchParams.set('service', service)
      if (scope !== undefined) url.searchParams.append('scope', scope)
      if (credential?.username !== undefined) {
        headers.authorization = `Basic ${Buffer.from(`${credential.username}:${credential.password ?? ''}`).toString('base64')}`
      }
      init = { method: 'GET' }
    }
    let res
    try {
      res = await fetch(url, { ...init, headers, dispatcher: this.#options.dispatcher, redirect: 'follow' })
    } catch (err) {
      throw new WasmgateError('WG_ERR_OCI_UNREACHABLE', [`${registry} (token server ${url.origin})`, describeFetchError(err)], { cause: err })
    }
    const text = await res.text()
    if (res.status === 401 || res.status === 403) {
      const who = credential?.username !== undefined || credential?.identityToken ? 'the token server rejected the credentials' : 'anonymous access was refused by the token server'
      throw new WasmgateError('WG_ERR_OCI_AUTH', [registry, `${who} (HTTP ${res.status})`])
    }
    if (res.status !== 200) throw new WasmgateError('WG_ERR_OCI_AUTH', [registry, `the token server answered HTTP ${res.status}`])
    let token: unknown
    try {
      const body = JSON.parse(text) as { token?: unknown; access_token?: unknown }
      token = body.token ?? body.access_token
    } catch {
      token = undefined
    }
    if (typeof token !== 'string' || token === '') throw new WasmgateError('WG_ERR_OCI_AUTH', [registry, 'the token server answered without a token'])
    return token
  }
}

/** The most useful text of a fetch failure (undici hides the socket error in `cause`). */
export function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause
  if (cause?.code && cause.message) return `${cause.code}: ${cause.message}`
  return cause?.message ?? (err as Error).message ?? String(err)
}
