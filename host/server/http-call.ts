/**
 * @module
 * Filter callouts (proxy_http_call): one request to a cluster by name, the whole response
 * collected, `done` called exactly once and never synchronously from `call`. Uses the same
 * endpoints, load balancer and circuit breaker as proxied traffic (Envoy semantics).
 */
import type { Dispatcher } from 'undici'
import { HeaderMap } from '../filter/header-map.ts'
import type { HttpCallDispatcher, HttpCallResult } from '../filter/contract.ts'
import type { Cluster } from './cluster.ts'
import type { Endpoint } from './endpoint.ts'

type Done = (result: HttpCallResult) => void

class CalloutHandler {
  readonly #cluster: Cluster
  readonly #endpoint: Endpoint
  #done: Done | undefined
  #status = 0
  #headers: HeaderMap | undefined
  readonly #chunks: Buffer[] = []
  #abort: ((err?: Error) => void) | undefined
  #connected = false
  #timer: NodeJS.Timeout | undefined

  constructor(cluster: Cluster, endpoint: Endpoint, done: Done, timeoutMs: number) {
    this.#cluster = cluster
    this.#endpoint = endpoint
    this.#done = done
    if (timeoutMs > 0) {
      this.#timer = setTimeout(() => this.finish({ ok: false, reason: 'timeout' }), timeoutMs)
      this.#timer.unref()
    }
  }

  /** Delivers the result once, frees the slot, and stops the request if still running. */
  finish(result: HttpCallResult): void {
    const done = this.#done
    if (done === undefined) return
    this.#done = undefined
    clearTimeout(this.#timer)
    this.#cluster.release(this.#endpoint, result.ok ? this.#status : 0)
    if (!result.ok) this.#abort?.()
    done(result)
  }

  /** The caller lost interest: stop without calling `done`. */
  cancel(): void {
    if (this.#done === undefined) return
    this.#done = () => {}
    this.finish({ ok: false, reason: 'reset' })
  }

  onConnect(abort: (err?: Error) => void): void {
    this.#connected = true
    this.#abort = abort
    if (this.#done === undefined) abort()
  }

  onHeaders(status: number, raw: Buffer[]): boolean {
    this.#status = status
    const flat = [':status', String(status)]
    for (let i = 0; i < raw.length; i += 2) flat.push((raw[i] as Buffer).toString('latin1').toLowerCase(), (raw[i + 1] as Buffer).toString('latin1'))
    this.#headers = new HeaderMap(flat)
    return true
  }

  onData(chunk: Buffer): boolean {
    this.#chunks.push(chunk)
    return true
  }

  onComplete(raw: Buffer[] | null): void {
    const trailers: string[] = []
    for (let i = 0; raw && i < raw.length; i += 2) trailers.push((raw[i] as Buffer).toString('latin1').toLowerCase(), (raw[i + 1] as Buffer).toString('latin1'))
    this.finish({ ok: true, headers: this.#headers ?? new HeaderMap([':status', String(this.#status)]), body: Buffer.concat(this.#chunks), trailers: new HeaderMap(trailers) })
  }

  onError(err: Error): void {
    const code = (err as { code?: string }).code ?? ''
    const reason = code.includes('TIMEOUT') ? 'timeout' : this.#connected ? 'reset' : 'connect'
    this.finish({ ok: false, reason })
  }
}

export class HttpCalls implements HttpCallDispatcher {
  readonly #clusters: ReadonlyMap<string, Cluster>

  constructor(clusters: ReadonlyMap<string, Cluster>) {
    this.#clusters = clusters
  }

  hasCluster(name: string): boolean {
    return this.#clusters.has(name)
  }

  call(clusterName: string, headers: HeaderMap, body: Uint8Array, _trailers: HeaderMap, timeoutMs: number, done: Done): () => void {
    const cluster = this.#clusters.get(clusterName)
    if (cluster === undefined) {
      queueMicrotask(() => done({ ok: false, reason: 'connect' }))
      return () => {}
    }
    const picked = cluster.acquire(undefined)
    if (!('pool' in picked)) {
      const reason = picked.code === 'WG_ERR_UPSTREAM_OVERFLOW' ? 'overflow' : 'no-healthy-endpoint'
      queueMicrotask(() => done({ ok: false, reason }))
      return () => {}
    }
    const flat: string[] = []
    for (const [name, value] of headers) {
      if (name[0] === ':' || name === 'content-length' || name === 'transfer-encoding' || name === 'connection') continue
      flat.push(name, value)
    }
    if (!headers.has('host')) flat.push('host', headers.get(':authority') ?? picked.authority)
    const handler = new CalloutHandler(cluster, picked, done, timeoutMs)
    // Dispatch on the next tick so `done` can never run inside the caller's hostcall.
    queueMicrotask(() =>
      picked.pool.dispatch(
        {
          method: headers.get(':method') ?? 'GET',
          path: headers.get(':path') ?? '/',
          headers: flat,
          body: body.byteLength > 0 ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : null,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        },
        handler as unknown as Dispatcher.DispatchHandler,
      ),
    )
    return () => handler.cancel()
  }
}
