/**
 * @module
 * One direction of a stream (request: filters 0..n-1; response: n-1..0) run as Envoy's filter
 * manager does, synchronously until a filter stops:
 * - headers: Continue passes them on; any stop value stops all iteration (Envoy's default
 *   StopAllIterationAndWatermark); later data and trailers wait in this filter's queue and are
 *   given to this same filter once it continues ("iterate from the current filter").
 * - data: each chunk goes to the body callback; a stop (StopIterationAndBuffer/Watermark) keeps
 *   the chunk and the next call reports the cumulative size; Continue passes the whole buffer on.
 * - trailers: Continue passes them on (after any held body); a stop holds them.
 * Events reaching the end go to the sink. Headers are held at the sink until the first body
 * event when a filter may change the body, so content-length can be fixed up.
 */
import { TRAPPED } from '../vm/instance.ts'
import { concat } from './buffer-edit.ts'
import type { HeaderMap } from './header-map.ts'
import type { HttpContext } from './http-context.ts'

export const HEADERS = 0
export const DATA = 1
export const TRAILERS = 2

export interface StreamEvent {
  readonly kind: number
  readonly eos: boolean
  readonly bytes: Uint8Array | undefined
}

interface Slot {
  readonly queue: StreamEvent[]
  queuedBytes: number
  blocked: boolean
  /** Headers or trailers this filter consumed and has not let through yet. */
  held: StreamEvent | undefined
  /** Body this filter stopped on (StopIterationAndBuffer); reported cumulatively. */
  buffered: Uint8Array | undefined
  bufferedEos: boolean
}

/** The stream operations a pipeline needs (implemented by FilterStreamImpl). */
export interface PipelineHost {
  readonly ended: boolean
  readonly maxBufferedBodyBytes: number
  /** A guest call trapped (or its instance had failed); true when the stream goes on without that filter. */
  filterFailed(ctx: HttpContext): boolean
  bufferLimitExceeded(ctx: HttpContext, isRequest: boolean): void
  emit(isRequest: boolean, ev: StreamEvent): void
  pauseReading(isRequest: boolean, paused: boolean): void
}

const HEADER_CB = ['proxy_on_request_headers', 'proxy_on_response_headers'] as const
const BODY_CB = ['proxy_on_request_body', 'proxy_on_response_body'] as const
const TRAILER_CB = ['proxy_on_request_trailers', 'proxy_on_response_trailers'] as const

export class Pipeline {
  readonly isRequest: boolean
  readonly #host: PipelineHost
  readonly #ctxs: readonly HttpContext[]
  readonly #slots: Slot[]
  readonly #maps: { headers: HeaderMap | undefined; trailers: HeaderMap | undefined }
  #readingPaused = false

  constructor(host: PipelineHost, ctxs: readonly HttpContext[], isRequest: boolean, maps: { headers: HeaderMap | undefined; trailers: HeaderMap | undefined }) {
    this.#host = host
    this.isRequest = isRequest
    this.#ctxs = isRequest ? ctxs : [...ctxs].reverse()
    this.#slots = this.#ctxs.map(() => ({ queue: [], queuedBytes: 0, blocked: false, held: undefined, buffered: undefined, bufferedEos: false }))
    this.#maps = maps
  }

  push(p: number, ev: StreamEvent): void {
    if (this.#host.ended) return
    if (p >= this.#ctxs.length) return this.#host.emit(this.isRequest, ev)
    const s = this.#slots[p] as Slot
    if (s.blocked || s.queue.length > 0) return this.#enqueue(s, ev)
    this.#process(p, ev)
  }

  /** proxy_continue_stream for the filter `ctx` in this direction. */
  resume(ctx: HttpContext): void {
    const p = this.#ctxs.indexOf(ctx)
    if (p < 0 || this.#host.ended) return
    const s = this.#slots[p] as Slot
    if (s.held !== undefined) {
      const ev = s.held
      s.held = undefined
      s.blocked = false
      if (ev.kind === TRAILERS) this.#releaseBuffered(p, s, false)
      this.push(p + 1, ev)
    } else if (s.buffered !== undefined && (s.bufferedEos || !s.blocked)) {
      this.#releaseBuffered(p, s, s.bufferedEos)
    } else {
      s.blocked = false
    }
    this.#drain(p)
  }

  #drain(p: number): void {
    const s = this.#slots[p] as Slot
    while (!s.blocked && s.queue.length > 0 && !this.#host.ended) {
      const ev = s.queue.shift() as StreamEvent
      if (ev.bytes !== undefined) s.queuedBytes -= ev.bytes.length
      this.#process(p, ev)
    }
    if (this.#readingPaused && s.queuedBytes <= this.#host.maxBufferedBodyBytes) {
      this.#readingPaused = false
      this.#host.pauseReading(this.isRequest, false)
    }
  }

  #enqueue(s: Slot, ev: StreamEvent): void {
    const last = s.queue[s.queue.length - 1]
    if (ev.kind === DATA && last !== undefined && last.kind === DATA) {
      // Merge: a filter that stopped on headers gets the body it missed as one chunk.
      s.queue[s.queue.length - 1] = { kind: DATA, eos: ev.eos, bytes: concat(last.bytes as Uint8Array, ev.bytes as Uint8Array) }
    } else {
      s.queue.push(ev)
    }
    if (ev.bytes !== undefined) s.queuedBytes += ev.bytes.length
    if (!this.#readingPaused && s.queuedBytes > this.#host.maxBufferedBodyBytes) {
      // Envoy's watermark: stop reading rather than buffer without bound.
      this.#readingPaused = true
      this.#host.pauseReading(this.isRequest, true)
    }
  }

  #releaseBuffered(p: number, s: Slot, eos: boolean): void {
    const bytes = s.buffered
    if (bytes === undefined) return
    s.buffered = undefined
    s.bufferedEos = false
    this.push(p + 1, { kind: DATA, eos, bytes })
  }

  #process(p: number, ev: StreamEvent): void {
    const ctx = this.#ctxs[p] as HttpContext
    if (ctx.skipped) return this.push(p + 1, ev)
    const live = ctx.live
    const cbs = live.callbacks
    const d = this.isRequest ? 0 : 1
    const s = this.#slots[p] as Slot
    if (ev.kind === HEADERS) {
      const fn = this.isRequest ? cbs.onRequestHeaders : cbs.onResponseHeaders
      if (fn === undefined) return this.push(p + 1, ev)
      const n = this.#maps.headers?.size ?? 0
      const r = live.instance.call(HEADER_CB[d], fn, ctx, ctx.id, n, ev.eos ? 1 : 0)
      if (r === TRAPPED) {
        if (this.#host.filterFailed(ctx)) this.push(p + 1, ev)
        return
      }
      // 0 Continue, 2 ContinueAndEndStream; anything else stops all iteration.
      if ((r === 0 || r === 2) && ctx.localReply === undefined) this.push(p + 1, ev)
      else {
        s.blocked = true
        s.held = ev
      }
      return live.flush()
    }
    if (ev.kind === DATA) {
      const fn = this.isRequest ? cbs.onRequestBody : cbs.onResponseBody
      if (fn === undefined) return this.push(p + 1, ev)
      const body = s.buffered === undefined ? (ev.bytes as Uint8Array) : concat(s.buffered, ev.bytes as Uint8Array)
      if (body.length > this.#host.maxBufferedBodyBytes && s.buffered !== undefined) {
        return this.#host.bufferLimitExceeded(ctx, this.isRequest)
      }
      if (this.isRequest) ctx.requestBody = body
      else ctx.responseBody = body
      const r = live.instance.call(BODY_CB[d], fn, ctx, ctx.id, body.length, ev.eos ? 1 : 0)
      const out = (this.isRequest ? ctx.requestBody : ctx.responseBody) as Uint8Array
      if (this.isRequest) ctx.requestBody = undefined
      else ctx.responseBody = undefined
      if (r === TRAPPED) {
        s.buffered = undefined
        if (this.#host.filterFailed(ctx)) this.push(p + 1, { kind: DATA, eos: ev.eos, bytes: body })
        return
      }
      if (ctx.bodyModified) this.#host.emit(this.isRequest, BODY_MODIFIED)
      if (r === 0 && ctx.localReply === undefined) {
        s.buffered = undefined
        this.push(p + 1, { kind: DATA, eos: ev.eos, bytes: out })
      } else if (r === 1 || r === 2 || ctx.localReply !== undefined) {
        s.buffered = out
        s.bufferedEos = ev.eos
        if (ev.eos) s.blocked = true
      } else {
        // StopIterationNoBuffer (3+): the filter keeps nothing and nothing passes.
        s.buffered = undefined
        if (ev.eos) {
          s.blocked = true
          s.buffered = new Uint8Array(0)
          s.bufferedEos = true
        }
      }
      return live.flush()
    }
    // TRAILERS
    const fn = this.isRequest ? cbs.onRequestTrailers : cbs.onResponseTrailers
    if (fn === undefined) {
      this.#releaseBuffered(p, s, false)
      return this.push(p + 1, ev)
    }
    const r = live.instance.call(TRAILER_CB[d], fn, ctx, ctx.id, this.#maps.trailers?.size ?? 0)
    if (r === TRAPPED) {
      if (this.#host.filterFailed(ctx)) {
        this.#releaseBuffered(p, s, false)
        this.push(p + 1, ev)
      }
      return
    }
    if (r === 0 && ctx.localReply === undefined) {
      this.#releaseBuffered(p, s, false)
      this.push(p + 1, ev)
    } else {
      s.blocked = true
      s.held = ev
    }
    live.flush()
  }
}

/** A marker event sent to the sink side: a filter changed the body (content-length is stale). */
export const BODY_MODIFIED: StreamEvent = { kind: -1, eos: false, bytes: undefined }
