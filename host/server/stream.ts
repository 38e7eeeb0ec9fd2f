/**
 * @module
 * One proxied request: route → cluster → attempt(s) → response, with retries, timeouts, error
 * replies, the access log line and metrics. This class is the fast path (a route without
 * filters): the client's body goes to undici as a stream and the upstream's chunks go straight
 * to `res.write`, with backpressure both ways and nothing buffered. FilteredStream
 * (filtered-stream.ts) extends it and routes the same events through a filter chain instead.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex, Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import { WasmgateError } from '../errors.ts'
import { isoTime } from '../observability/log.ts'
import type { FailureKind } from './cluster.ts'
import { sendErrorReply, sendLocalReply } from './local-reply.ts'
import type { ProxyContext, RouteRuntime } from './proxy-context.ts'
import { buildRequestHeaders, buildResponseHeaders, trailersToObject } from './proxy-headers.ts'
import { rewritePath } from './router.ts'
import { UpstreamAttempt, type AttemptOwner } from './upstream.ts'

const idempotentMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE'])

export class ProxyStream implements AttemptOwner {
  protected readonly ctx: ProxyContext
  protected readonly req: IncomingMessage
  protected readonly res: ServerResponse
  /** The route the request goes upstream by (a filter that changes request headers may change it). */
  protected rt: RouteRuntime | undefined
  readonly startMs = Date.now()
  readonly startPerfMs = performance.now()
  requestId = ''
  /** The request as it goes upstream. */
  protected method: string
  protected path = '/'
  protected headers: string[] = []
  /** `req` itself (streamed, not replayable), a Buffer (replayable), or null (no body). */
  protected body: Readable | Buffer | null = null
  protected attempt: UpstreamAttempt | undefined
  #tries = 0
  #deadlineMs = 0
  #resume: (() => void) | undefined
  #isDone = false
  status = 0
  bytesIn = 0
  bytesOut = 0
  errorCode: string | undefined

  constructor(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, rt: RouteRuntime | undefined) {
    this.ctx = ctx
    this.req = req
    this.res = res
    this.rt = rt
    this.method = req.method ?? 'GET'
    ctx.inflight++
    // `on`, not `once`: close fires once per response, and #onClose guards itself; saves a wrapper per request
    res.on('close', this.#onClose)
  }

  start(): void {
    const { req, ctx, rt } = this
    // Route rewrites apply where Envoy's router applies them, after the filters: a chain sees the
    // request as the client sent it (FilteredStream rewrites once the chain has passed it).
    const rewritesNow = rt?.chain === undefined
    const hdr = buildRequestHeaders(req.rawHeaders, ctx.headerOptions, clientIp(req), ctx.isTls ? 'https' : 'http', rewritesNow ? rt?.route.config.rewrite?.host : undefined)
    this.requestId = hdr.requestId
    this.headers = hdr.flat
    if (rt === undefined) return this.fail(new WasmgateError('WG_ERR_REQUEST_NO_ROUTE', [this.method, req.url ?? '']), true)
    const direct = rt.route.config.directResponse
    // With filters, the answer comes after them (FilteredStream), as Envoy's router sends it.
    if (direct !== undefined && rt.chain === undefined) {
      this.status = direct.status
      return sendLocalReply(this.res, direct.status, Object.entries(direct.headers), direct.body ?? '', this.ctx.headerOptions.requestId ? this.requestId : undefined)
    }
    const max = ctx.maxRequestBodyBytes
    if (max > 0 && hdr.contentLength > max) return this.fail(new WasmgateError('WG_ERR_REQUEST_BODY_TOO_LARGE', [max]), true)
    this.path = rewritesNow ? rewritePath(rt.route, req.url ?? '/') : (req.url ?? '/')
    this.body = hdr.hasBody ? req : null
    this.begin()
  }

  /** After routing: the fast path dispatches at once. FilteredStream runs the chain first. */
  protected begin(): void {
    this.dispatch()
  }

  /** Sends one attempt to an endpoint picked by the cluster's load balancer. */
  protected dispatch(): void {
    const cluster = this.rt?.cluster
    if (cluster === undefined || this.#isDone) return
    let timeoutMs = cluster.retry.perTryTimeoutMs
    const totalMs = this.rt?.timeoutMs ?? 0
    if (totalMs > 0) {
      if (this.#deadlineMs === 0) this.#deadlineMs = this.startMs + totalMs
      const remaining = this.#deadlineMs - Date.now()
      if (remaining <= 0) return this.fail(new WasmgateError('WG_ERR_UPSTREAM_TIMEOUT', [cluster.name, totalMs]))
      timeoutMs = timeoutMs === 0 ? remaining : Math.min(timeoutMs, remaining)
    }
    const picked = cluster.acquire(this.attempt?.endpoint)
    if (picked instanceof WasmgateError) {
      if (picked.code === 'WG_ERR_UPSTREAM_OVERFLOW') this.ctx.metrics.overflows.labels(cluster.name).inc()
      return this.fail(picked)
    }
    this.#tries++
    const attempt = new UpstreamAttempt(this, picked, timeoutMs)
    this.attempt = attempt
    picked.pool.dispatch({ path: this.path, method: this.method, headers: this.headers, body: this.body, headersTimeout: attempt.undiciHeadersTimeout }, attempt as unknown as Dispatcher.DispatchHandler)
  }

  #canRetry(): boolean {
    const cluster = this.rt?.cluster
    if (cluster === undefined || this.#tries >= cluster.retry.maxTries || this.res.headersSent || this.#isDone) return false
    if (!idempotentMethods.has(this.method) || (this.body !== null && !Buffer.isBuffer(this.body))) return false
    return this.#deadlineMs === 0 || Date.now() < this.#deadlineMs
  }

  #retry(): void {
    const cluster = this.rt?.cluster
    if (cluster !== undefined) {
      cluster.retriesTotal++
      this.ctx.metrics.retries.labels(cluster.name).inc()
    }
    this.dispatch()
  }

  /** Returns the attempt's slot to its cluster exactly once. */
  protected releaseAttempt(attempt: UpstreamAttempt, status: number): void {
    if (attempt.isReleased) return
    attempt.isReleased = true
    this.rt?.cluster?.release(attempt.endpoint, status)
  }

  /** Stops the current attempt (client gone, filter replied locally, reset). */
  protected cancelAttempt(): void {
    const a = this.attempt
    if (a === undefined) return
    a.cancel()
    this.releaseAttempt(a, a.status === 0 ? 499 : a.status)
  }

  // AttemptOwner: callbacks from undici through UpstreamAttempt

  onAttemptHeaders(attempt: UpstreamAttempt, status: number, rawHeaders: Buffer[], resume: () => void): boolean {
    const cluster = this.rt?.cluster
    if (cluster !== undefined && cluster.shouldRetry(status) && this.#canRetry()) {
      attempt.cancel()
      this.releaseAttempt(attempt, status)
      this.#retry()
      return true
    }
    this.status = status
    this.#resume = resume
    const flat = buildResponseHeaders(rawHeaders, this.ctx.headerOptions, this.requestId)
    if (this.ctx.isDraining) flat.push('connection', 'close')
    return this.sendHeadersDownstream(status, flat)
  }

  onAttemptData(_attempt: UpstreamAttempt, chunk: Buffer): boolean {
    return this.sendDataDownstream(chunk)
  }

  onAttemptEnd(attempt: UpstreamAttempt, rawTrailers: Buffer[] | null): void {
    this.releaseAttempt(attempt, attempt.status)
    this.endDownstream(trailersToObject(rawTrailers))
  }

  onAttemptError(attempt: UpstreamAttempt, err: WasmgateError, kind: FailureKind | undefined): void {
    this.releaseAttempt(attempt, attempt.status === 0 ? 0 : 502)
    if (attempt.status !== 0) {
      // The response had started: the client can only learn of it by the connection closing.
      this.logError(err)
      this.errorCode = err.code
      this.res.destroy()
      return
    }
    const cluster = this.rt?.cluster
    if (kind !== undefined && cluster?.shouldRetry(kind) === true && this.#canRetry()) return this.#retry()
    this.fail(err)
  }

  onAttemptUpgrade(_attempt: UpstreamAttempt, _status: number, _rawHeaders: Buffer[], socket: Duplex): void {
    socket.destroy() // Upgrade requests are handled by websocket.ts, never here
  }

  onAttemptBodySent(chunk: Uint8Array | string): void {
    this.bytesIn += chunk.length
    const max = this.ctx.maxRequestBodyBytes
    if (max > 0 && this.bytesIn > max) {
      this.cancelAttempt()
      this.fail(new WasmgateError('WG_ERR_REQUEST_BODY_TOO_LARGE', [max]), true)
    }
  }

  // Downstream writers; FilteredStream replaces these with its filter chain.

  protected sendHeadersDownstream(status: number, flat: string[]): boolean {
    this.res.writeHead(status, flat)
    return true
  }

  protected sendDataDownstream(chunk: Buffer): boolean {
    this.bytesOut += chunk.length
    if (this.res.write(chunk)) return true
    this.res.once('drain', () => this.resumeUpstream())
    return false
  }

  protected endDownstream(trailers: Record<string, string> | undefined): void {
    if (trailers !== undefined) this.res.addTrailers(trailers)
    this.res.end()
  }

  protected resumeUpstream(): void {
    this.#resume?.()
  }

  /** Ends the request with the error's status and `{code, requestId}`, or a reset if too late. */
  protected fail(err: WasmgateError, isClientError = false): void {
    this.errorCode = err.code
    this.logError(err)
    if (this.res.headersSent) {
      this.res.destroy()
      return
    }
    this.status = sendErrorReply(this.res, err, this.requestId, isClientError)
  }

  protected logError(err: WasmgateError): void {
    const level = (err.httpStatus ?? 500) >= 500 ? 'warn' : 'info'
    this.ctx.logger[level]({ requestId: this.requestId, code: err.code, route: this.rt?.route.name, cluster: this.rt?.cluster?.name, upstream: this.attempt?.endpoint.url }, err.message)
  }

  readonly #onClose = (): void => {
    if (this.#isDone) return
    this.#isDone = true
    if (!this.res.writableFinished) {
      this.cancelAttempt() // the client went away first
      if (this.status === 0 || !this.res.headersSent) this.status = 499
    }
    this.onDone()
    const durationMs = performance.now() - this.startPerfMs
    const rt = this.rt
    ;(rt?.stats ?? this.ctx.noRouteStats).record(this.status, durationMs / 1000)
    // The root's level too: a child keeps the level its parent had when it was made.
    if (this.ctx.accessLog && this.ctx.logger.isLevelEnabled('info')) {
      // route and cluster are the child logger's bindings, serialised once per route
      ;(rt?.accessLogger ?? this.ctx.noRouteAccessLogger).info({
        startTime: isoTime(this.startMs),
        requestId: this.requestId,
        method: this.method,
        path: this.req.url,
        status: this.status,
        bytesIn: this.bytesIn,
        bytesOut: this.bytesOut,
        durationMs: Math.round(durationMs * 100) / 100,
        upstream: this.attempt?.endpoint.url,
        tries: this.#tries,
        code: this.errorCode,
      })
    }
    if (--this.ctx.inflight === 0) this.ctx.onIdle?.()
  }

  /** Hook for subclasses: the request is over (completed or aborted). */
  protected onDone(): void {}
}

function clientIp(req: IncomingMessage): string {
  const ip = req.socket.remoteAddress ?? ''
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip
}
