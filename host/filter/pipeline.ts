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
  /** The request side stopped (a local reply is being sent); the response side may still run. */
  readonly requestStopped: boolean
  readonly maxBufferedBodyBytes: number
  /** The header map / trailer map of a direction as the filters see it now. */
  headersOf(isRequest: boolean): HeaderMap | undefined
  trailersOf(isRequest: boolean): HeaderMap | undefined
  /** A guest call trapped (or its instance had failed); true when the stream goes on without that filter. */
  filterFailed(ctx: HttpContext): boolean
  /** A filter of `ctx` stopped: the stream must hear if that instance fails while it waits. */
  watch(ctx: HttpContext): void
  bufferLimitExceeded(ctx: HttpContext, isRequest: boolean): void
  emit(isRequest: boolean, ev: StreamEvent): void
  pauseReading(isRequest: boolean, paused: boolean): void
}

const HEADER_CB = ['proxy_on_request_headers', 'proxy_on_response_headers'] as const
const BODY_CB = ['proxy_on_request_body', 'proxy_on_response_body'] as const
const TRAILER_CB = ['proxy_on_request_trailers', 'proxy_on_response_trailers'] as const

/** Shared, immutable events: headers and trailers carry no bytes, so nothing is allocated for them. */
export const HEADERS_EOS: StreamEvent = { kind: HEADERS, eos: true, bytes: undefined }
export const HEADERS_MORE: StreamEvent = { kind: HEADERS, eos: false, bytes: undefined }
export const TRAILERS_EV: StreamEvent = { kind: TRAILERS, eos: true, bytes: undefined }

export class Pipeline {
  readonly isRequest: boolean
  readonly #host: PipelineHost
  readonly #ctxs: readonly HttpContext[]
  readonly #n: number
  /** Per position, created only when a filter stops or queues: the all-Continue path allocates nothing. */
  #slots: Array<Slot | undefined> | undefined = undefined
  #readingPaused = false

  constructor(host: PipelineHost, ctxs: readonly HttpContext[], isRequest: boolean) {
    this.#host = host
    this.isRequest = isRequest
    this.#ctxs = ctxs
    this.#n = ctxs.length
  }

  /** Request: filters 0..n-1; response: n-1..0 (no reversed copy per stream). */
  #ctxAt(p: number): HttpContext {
    return this.#ctxs[this.isRequest ? p : this.#n - 1 - p] as HttpContext
  }

  #slot(p: number): Slot {
    const slots = (this.#slots ??= new Array<Slot | undefined>(this.#n))
    let s = slots[p]
    if (s === undefined) {
      s = { queue: [], queuedBytes: 0, blocked: false, held: undefined, buffered: undefined, bufferedEos: false }
      slots[p] = s
    }
    return s
  }

  #isStopped(): boolean {
    return this.#host.ended || (this.isRequest && this.#host.requestStopped)
  }

  push(p: number, ev: StreamEvent): void {
    if (this.#isStopped()) return
    if (p >= this.#n) return this.#host.emit(this.isRequest, ev)
    const s = this.#slots?.[p]
    if (s !== undefined && (s.blocked || s.queue.length > 0)) return this.#enqueue(s, ev)
    this.#process(p, ev)
  }

  /** proxy_continue_stream for the filter `ctx` in this direction. */
  resume(ctx: HttpContext): void {
    const i = this.#ctxs.indexOf(ctx)
    if (i < 0 || this.#isStopped()) return
    const p = this.isRequest ? i : this.#n - 1 - i
    const s = this.#slots?.[p]
    if (s === undefined) return
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
    this.#drain(p, s)
  }

  #drain(p: number, s: Slot): void {
    while (!s.blocked && s.queue.length > 0 && !this.#isStopped()) {
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

  #stop(p: number, ctx: HttpContext, ev: StreamEvent): void {
    const s = this.#slot(p)
    s.blocked = true
    s.held = ev
    this.#host.watch(ctx)
  }

  #process(p: number, ev: StreamEvent): void {
    const ctx = this.#ctxAt(p)
    if (ctx.skipped) return this.push(p + 1, ev)
    const live = ctx.live
    const cbs = live.callbacks
    const isRequest = this.isRequest
    const d = isRequest ? 0 : 1
    if (ev.kind === HEADERS) {
      const fn = isRequest ? cbs.onRequestHeaders : cbs.onResponseHeaders
      if (fn === undefined) return this.push(p + 1, ev)
      const n = this.#host.headersOf(isRequest)?.size ?? 0
      const r = live.instance.call(HEADER_CB[d], fn, ctx, ctx.id, n, ev.eos ? 1 : 0)
      if (r === TRAPPED) {
        if (this.#host.filterFailed(ctx)) this.push(p + 1, ev)
        return
      }
      // 0 Continue, 2 ContinueAndEndStream; anything else stops all iteration.
      if ((r === 0 || r === 2) && ctx.localReply === undefined) this.push(p + 1, ev)
      else this.#stop(p, ctx, ev)
      return live.flush()
    }
    if (ev.kind === DATA) {
      const fn = isRequest ? cbs.onRequestBody : cbs.onResponseBody
      if (fn === undefined) return this.push(p + 1, ev)
      const held = this.#slots?.[p]?.buffered
      const body = held === undefined ? (ev.bytes as Uint8Array) : concat(held, ev.bytes as Uint8Array)
      if (held !== undefined && body.length > this.#host.maxBufferedBodyBytes) {
        return this.#host.bufferLimitExceeded(ctx, isRequest)
      }
      if (isRequest) ctx.requestBody = body
      else ctx.responseBody = body
      const r = live.instance.call(BODY_CB[d], fn, ctx, ctx.id, body.length, ev.eos ? 1 : 0)
      const out = (isRequest ? ctx.requestBody : ctx.responseBody) as Uint8Array
      if (isRequest) ctx.requestBody = undefined
      else ctx.responseBody = undefined
      if (r === TRAPPED) {
        if (held !== undefined) this.#slot(p).buffered = undefined
        if (this.#host.filterFailed(ctx)) this.push(p + 1, { kind: DATA, eos: ev.eos, bytes: body })
        return
      }
      if (ctx.bodyModified) this.#host.emit(isRequest, BODY_MODIFIED)
      if (r === 0 && ctx.localReply === undefined) {
        if (held !== undefined) this.#slot(p).buffered = undefined
        this.push(p + 1, out === ev.bytes ? ev : { kind: DATA, eos: ev.eos, bytes: out })
      } else if (r === 1 || r === 2 || ctx.localReply !== undefined) {
        const s = this.#slot(p)
        s.buffered = out
        s.bufferedEos = ev.eos
        if (ev.eos) s.blocked = true
        this.#host.watch(ctx)
      } else {
        // StopIterationNoBuffer (3+): the filter keeps nothing and nothing passes.
        const s = this.#slot(p)
        s.buffered = undefined
        if (ev.eos) {
          s.blocked = true
          s.buffered = new Uint8Array(0)
          s.bufferedEos = true
        }
        this.#host.watch(ctx)
      }
      return live.flush()
    }
    // TRAILERS
    const fn = isRequest ? cbs.onRequestTrailers : cbs.onResponseTrailers
    const s = this.#slots?.[p]
    if (fn === undefined) {
      if (s !== undefined) this.#releaseBuffered(p, s, false)
      return this.push(p + 1, ev)
    }
    const r = live.instance.call(TRAILER_CB[d], fn, ctx, ctx.id, this.#host.trailersOf(isRequest)?.size ?? 0)
    if (r === TRAPPED) {
      if (this.#host.filterFailed(ctx)) {
        if (s !== undefined) this.#releaseBuffered(p, s, false)
        this.push(p + 1, ev)
      }
      return
    }
    if (r === 0 && ctx.localReply === undefined) {
      if (s !== undefined) this.#releaseBuffered(p, s, false)
      this.push(p + 1, ev)
    } else {
      this.#stop(p, ctx, ev)
    }
    live.flush()
  }
}

/** A marker event sent to the sink side: a filter changed the body (content-length is stale). */
export const BODY_MODIFIED: StreamEvent = { kind: -1, eos: false, bytes: undefined }
