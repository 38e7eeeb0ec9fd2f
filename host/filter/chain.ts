/**
 * @module
 * A route's filter chain and one request's FilterStream (the contract.ts seam). Each stream
 * pins, per filter, the live instance it started on; creates one stream context per filter
 * (proxy_on_context_create(id, root)); runs both directions through pipeline.ts; applies
 * deferred actions; applies the filter's failurePolicy when a callback traps; and always ends
 * with on_done, on_log, on_delete for every created context (also for aborted requests).
 */
import { errorCodes } from '../errors.ts'
import { TRAPPED } from '../vm/instance.ts'
import type { FilterChain, FilterStream, StreamInfo, StreamSink } from './contract.ts'
import { HeaderMap } from './header-map.ts'
import { HttpContext, PENDING_CLOSE, PENDING_CONTINUE_REQUEST, PENDING_CONTINUE_RESPONSE, PENDING_LOCAL_REPLY, type StreamAccess } from './http-context.ts'
import type { LivePlugin } from './live-plugin.ts'
import { BODY_MODIFIED, DATA, HEADERS, HEADERS_EOS, HEADERS_MORE, Pipeline, TRAILERS_EV, type PipelineHost, type StreamEvent } from './pipeline.ts'
import type { FilterPlugin } from './filter-plugin.ts'

export class FilterChainImpl implements FilterChain {
  readonly filterNames: readonly string[]
  readonly #plugins: readonly FilterPlugin[]
  readonly #maxBufferedBodyBytes: number

  constructor(plugins: readonly FilterPlugin[], maxBufferedBodyBytes: number) {
    this.#plugins = plugins
    this.filterNames = plugins.map((p) => p.spec.name)
    this.#maxBufferedBodyBytes = maxBufferedBodyBytes
  }

  createStream(info: StreamInfo, sink: StreamSink): FilterStream {
    return new FilterStreamImpl(this.#plugins, info, sink, this.#maxBufferedBodyBytes)
  }
}

const NO_BYTES = new Uint8Array(0)

export class FilterStreamImpl implements FilterStream, StreamAccess, PipelineHost {
  readonly info: StreamInfo
  readonly wantsRequestBody: boolean
  readonly wantsResponseBody: boolean
  readonly maxBufferedBodyBytes: number
  #setProperties: Map<string, Uint8Array> | undefined = undefined
  requestHeaders: HeaderMap | undefined = undefined
  requestTrailers: HeaderMap | undefined = undefined
  responseHeaders: HeaderMap | undefined = undefined
  responseTrailers: HeaderMap | undefined = undefined
  responseStarted = false
  ended = false
  requestStopped = false
  isRouteCacheCleared = false
  /** A local reply running through the response callbacks of the filters before its sender. */
  #localReplyRun: { details: string; headers: HeaderMap | undefined; chunks: Uint8Array[] } | undefined = undefined
  readonly #sink: StreamSink
  readonly #plugins: readonly FilterPlugin[]
  readonly #ctxs: HttpContext[] = []
  /** A filter this stream cannot run (failed, no instance) under a closed/reload policy. */
  #unavailable: FilterPlugin | undefined = undefined
  #request: Pipeline | undefined = undefined
  #response: Pipeline | undefined = undefined
  /** Bit flags per direction (bit 0 request, bit 1 response): no arrays per stream. */
  #heldHeaders = 0
  #bodyModified = 0
  #hasBodyCallback = 0
  #destroyed = false

  constructor(plugins: readonly FilterPlugin[], info: StreamInfo, sink: StreamSink, maxBufferedBodyBytes: number) {
    this.info = info
    this.#sink = sink
    this.#plugins = plugins
    this.maxBufferedBodyBytes = maxBufferedBodyBytes
    let reqBody = false
    let respBody = false
    for (let i = 0; i < plugins.length; i++) {
      const plugin = plugins[i] as FilterPlugin
      const live = plugin.acquire()
      if (live === undefined) {
        if (plugin.spec.failurePolicy !== 'open' && this.#unavailable === undefined) this.#unavailable = plugin
        continue
      }
      live.streams++
      const ctx = new HttpContext(live, live.instance.newContextId(), i, this)
      this.#ctxs.push(ctx)
      const cb = live.callbacks
      if (cb.onRequestBody !== undefined || cb.onRequestTrailers !== undefined) reqBody = true
      if (cb.onResponseBody !== undefined || cb.onResponseTrailers !== undefined) respBody = true
      if (cb.onRequestBody !== undefined) this.#hasBodyCallback |= 1
      if (cb.onResponseBody !== undefined) this.#hasBodyCallback |= 2
    }
    this.wantsRequestBody = reqBody
    this.wantsResponseBody = respBody
  }

  // FilterStream (driven by the server)
  decodeHeaders(headers: HeaderMap, endOfStream: boolean): void {
    this.requestHeaders = headers
    if (this.#unavailable !== undefined) {
      const p = this.#unavailable
      return this.#fail('WG_ERR_FILTER_UNAVAILABLE', `filter ${p.spec.name} is ${p.state}`)
    }
    for (const ctx of this.#ctxs) this.#createContext(ctx)
    if (this.ended) return
    this.#request = new Pipeline(this, this.#ctxs, true)
    this.#request.push(0, endOfStream ? HEADERS_EOS : HEADERS_MORE)
  }

  decodeData(chunk: Uint8Array, endOfStream: boolean): void {
    this.#request?.push(0, { kind: DATA, eos: endOfStream, bytes: chunk })
  }

  decodeTrailers(trailers: HeaderMap): void {
    this.requestTrailers = trailers
    this.#request?.push(0, TRAILERS_EV)
  }

  encodeHeaders(headers: HeaderMap, endOfStream: boolean): void {
    if (this.ended || this.#localReplyRun !== undefined) return
    this.responseHeaders = headers
    this.#response = new Pipeline(this, this.#ctxs, false)
    this.#response.push(0, endOfStream ? HEADERS_EOS : HEADERS_MORE)
  }

  encodeData(chunk: Uint8Array, endOfStream: boolean): void {
    if (this.#localReplyRun !== undefined) return
    this.#response?.push(0, { kind: DATA, eos: endOfStream, bytes: chunk })
  }

  encodeTrailers(trailers: HeaderMap): void {
    if (this.#localReplyRun !== undefined) return
    this.responseTrailers = trailers
    this.#response?.push(0, TRAILERS_EV)
  }

  destroy(): void {
    if (this.#destroyed) return
    this.#destroyed = true
    this.ended = true
    for (const ctx of this.#ctxs) {
      const live = ctx.live
      ctx.pending = 0
      if (ctx.created && live.instance.failed === undefined) {
        const cb = live.callbacks
        const inst = live.instance
        // Envoy order: on_done (result ignored for streams), on_log (maps read-only), on_delete.
        if (cb.onDone !== undefined) inst.call('proxy_on_done', cb.onDone, ctx, ctx.id)
        ctx.inLog = true
        if (cb.onLog !== undefined) inst.call('proxy_on_log', cb.onLog, ctx, ctx.id)
        if (cb.onDelete !== undefined) inst.call('proxy_on_delete', cb.onDelete, ctx, ctx.id)
        live.flush()
      }
      live.instance.removeContext(ctx.id)
      live.streams--
      const plugin = this.#plugins[ctx.index] as FilterPlugin
      if (live.instance.failed === undefined) plugin.noteSuccess()
      plugin.release(live)
    }
  }

  #createContext(ctx: HttpContext): void {
    const live = ctx.live
    live.instance.addContext(ctx)
    const fn = live.callbacks.onContextCreate
    ctx.created = true
    if (fn === undefined) return
    if (live.instance.call('proxy_on_context_create', fn, ctx, ctx.id, live.root.id) === TRAPPED) {
      ctx.created = false
      this.filterFailed(ctx)
    }
  }

  clearRouteCache(): void {
    this.isRouteCacheCleared = true
  }

  get setProperties(): Map<string, Uint8Array> {
    return (this.#setProperties ??= new Map())
  }

  storedProperty(rawPath: string): Uint8Array | undefined {
    return this.#setProperties?.get(rawPath)
  }

  // PipelineHost
  headersOf(isRequest: boolean): HeaderMap | undefined {
    return isRequest ? this.requestHeaders : this.responseHeaders
  }

  trailersOf(isRequest: boolean): HeaderMap | undefined {
    return isRequest ? this.requestTrailers : this.responseTrailers
  }

  watch(ctx: HttpContext): void {
    ctx.watched = true
  }

  filterFailed(ctx: HttpContext): boolean {
    ctx.skipped = true
    const plugin = this.#plugins[ctx.index] as FilterPlugin
    if (plugin.spec.failurePolicy === 'open') return true
    const f = ctx.live.instance.failed
    const code = f?.isDeadline ? 'WG_ERR_FILTER_DEADLINE' : 'WG_ERR_FILTER_TRAPPED'
    this.#fail(code, `filter ${plugin.spec.name} failed in ${f?.callback ?? 'a callback'}`)
    return false
  }

  /**
   * The instance `live` failed while this stream was in flight on it (another stream's callback
   * or a root callback trapped): the stream fails the same way, or goes on without the filter.
   */
  instanceFailed(live: LivePlugin): void {
    if (this.ended) return
    for (const ctx of this.#ctxs) {
      if (ctx.live !== live || ctx.skipped) continue
      if (this.filterFailed(ctx)) {
        this.#request?.resume(ctx)
        this.#response?.resume(ctx)
      }
      if (this.ended) return
    }
  }

  bufferLimitExceeded(ctx: HttpContext, isRequest: boolean): void {
    const name = (this.#plugins[ctx.index] as FilterPlugin).spec.name
    if (this.responseStarted) return this.#fail('WG_ERR_FILTER_BUFFER_LIMIT', `filter ${name} buffer limit`)
    // Envoy: 413 on the request path, 500 on the response path.
    const status = isRequest ? 413 : 500
    const body = JSON.stringify({ code: 'WG_ERR_FILTER_BUFFER_LIMIT', requestId: this.info.requestId })
    this.#localReply(status, [['content-type', 'application/json']], body, `filter ${name}: buffered body over ${this.maxBufferedBodyBytes} bytes`)
  }

  pauseReading(isRequest: boolean, paused: boolean): void {
    if (!isRequest) return
    if (paused) this.#sink.pauseRequestReading()
    else this.#sink.resumeRequestReading()
  }

  emit(isRequest: boolean, ev: StreamEvent): void {
    const d = isRequest ? 1 : 2
    if (ev === BODY_MODIFIED) {
      this.#bodyModified |= d
      return
    }
    if (this.ended) return
    if (!isRequest && this.#localReplyRun !== undefined) return this.#collectLocalReply(ev)
    const sink = this.#sink
    const headers = isRequest ? this.requestHeaders : this.responseHeaders
    if (ev.kind === HEADERS) {
      if (!ev.eos && (this.#hasBodyCallback & d) !== 0) {
        // Wait for the first body event: its size may fix content-length.
        this.#heldHeaders |= d
        if (!isRequest) this.responseStarted = true
        return
      }
      return this.#sendHeaders(isRequest, headers as HeaderMap, ev.eos)
    }
    if ((this.#heldHeaders & d) !== 0) {
      this.#heldHeaders &= ~d
      const h = headers as HeaderMap
      const modified = (this.#bodyModified & d) !== 0
      if (ev.kind === DATA && ev.eos) {
        if (modified || h.has('content-length')) h.set('content-length', String((ev.bytes as Uint8Array).length))
      } else if (modified) {
        h.remove('content-length')
      }
      this.#sendHeaders(isRequest, h, false)
    }
    if (ev.kind === DATA) {
      if (isRequest) sink.sendRequestData(ev.bytes ?? NO_BYTES, ev.eos)
      else sink.sendResponseData(ev.bytes ?? NO_BYTES, ev.eos)
    } else if (isRequest) sink.sendRequestTrailers(this.requestTrailers as HeaderMap)
    else sink.sendResponseTrailers(this.responseTrailers as HeaderMap)
  }

  #sendHeaders(isRequest: boolean, headers: HeaderMap, eos: boolean): void {
    if (isRequest) this.#sink.sendRequestHeaders(headers, eos)
    else {
      this.responseStarted = true
      this.#sink.sendResponseHeaders(headers, eos)
    }
  }

  // StreamAccess: deferred actions of one context, after its guest call returned.
  applyActions(ctx: HttpContext): void {
    const pending = ctx.pending
    ctx.pending = 0
    if (this.ended || ctx.skipped) return
    if (pending & PENDING_LOCAL_REPLY && ctx.localReply !== undefined) {
      const r = ctx.localReply
      const headers: Array<[string, string]> = []
      for (let i = 0; i < r.headers.length; i += 2) headers.push([(r.headers[i] as string).toLowerCase(), r.headers[i + 1] as string])
      if (r.grpcStatus >= 0 && r.grpcStatus <= 16) headers.push(['grpc-status', String(r.grpcStatus)])
      return this.#localReplyThroughFilters(ctx, r.status, headers, r.body, r.details)
    }
    if (pending & PENDING_CLOSE) {
      this.ended = true
      return this.#sink.resetStream('closed by filter')
    }
    if (pending & PENDING_CONTINUE_REQUEST) this.#request?.resume(ctx)
    if (pending & PENDING_CONTINUE_RESPONSE) this.#response?.resume(ctx)
  }

  /**
   * Envoy encodes a local reply through the filters that already saw the request: the response
   * callbacks of filters k-1..0 (not k itself) see its headers and body and may change them.
   * What comes out of filter 0 is sent with sink.sendLocalReply (which also stops the upstream).
   */
  #localReplyThroughFilters(from: HttpContext, status: number, headers: Array<[string, string]>, body: Uint8Array, details: string): void {
    if (this.ended) return
    const k = from.index
    if (k === 0 || this.responseStarted || this.#localReplyRun !== undefined) return this.#localReply(status, headers, body, details)
    const flat = [':status', String(status)]
    let hasType = false
    for (const [name, value] of headers) {
      if (name === 'content-length') continue
      if (name === 'content-type') hasType = true
      flat.push(name, value)
    }
    if (!hasType && body.length > 0) flat.push('content-type', 'text/plain')
    flat.push('content-length', String(body.length))
    const map = new HeaderMap(flat)
    this.requestStopped = true
    this.responseStarted = true // no second local reply while this one runs
    this.responseHeaders = map
    this.responseTrailers = undefined
    this.#localReplyRun = { details, headers: undefined, chunks: [] }
    const pipeline = new Pipeline(this, this.#ctxs, false)
    this.#response = pipeline
    // Response order is n-1..0: filter k-1 sits at position n-k.
    const start = this.#ctxs.length - k
    pipeline.push(start, body.length === 0 ? HEADERS_EOS : HEADERS_MORE)
    if (body.length > 0) pipeline.push(start, { kind: DATA, eos: true, bytes: body })
  }

  #collectLocalReply(ev: StreamEvent): void {
    const run = this.#localReplyRun as { details: string; headers: HeaderMap | undefined; chunks: Uint8Array[] }
    if (ev === BODY_MODIFIED) return
    if (ev.kind === HEADERS) run.headers = this.responseHeaders
    else if (ev.kind === DATA && ev.bytes !== undefined && ev.bytes.length > 0) run.chunks.push(ev.bytes)
    if (!ev.eos) return
    const h = run.headers ?? this.responseHeaders ?? new HeaderMap()
    const status = Number(h.get(':status')) || 200
    const out: Array<[string, string]> = []
    for (const [name, value] of h) if (name[0] !== ':') out.push([name, value])
    const body = run.chunks.length === 1 ? (run.chunks[0] as Uint8Array) : Buffer.concat(run.chunks)
    this.#localReplyRun = undefined
    this.#localReply(status, out, body, run.details)
  }

  #localReply(status: number, headers: Array<[string, string]>, body: Uint8Array | string, details: string): void {
    if (this.ended) return
    this.ended = true
    this.#sink.sendLocalReply(status, headers, body, details)
  }

  #fail(code: keyof typeof errorCodes, details: string): void {
    if (this.ended) return
    this.ended = true
    this.#sink.failStream(code, details)
  }
}

export type { LivePlugin }
