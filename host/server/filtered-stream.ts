/**
 * @module
 * A proxied request whose route has a filter chain. Client and upstream events go through the
 * chain (FilterStream decode and encode calls), and the chain's output comes back through this class as
 * the StreamSink. Retries, timeouts, logs and metrics are ProxyStream's.
 *
 * Bodies stay streamed unless a filter asks for them: with `wantsRequestBody` false the client's
 * body is piped to undici untouched. Content-length is the chain's business (chain.ts holds the
 * headers of a direction with a body callback until its first body event, then keeps, fixes or
 * drops the length); a request body that arrives whole goes upstream as one buffer.
 */
import { Readable } from 'node:stream'
import { WasmgateError, errorCodes, type ErrorCode } from '../errors.ts'
import type { FilterStream, StreamInfo, StreamSink } from '../filter/contract.ts'
import { HeaderMap } from '../filter/header-map.ts'
import { sendLocalReply as writeLocalReply } from './local-reply.ts'
import { applyRouteRewrites, chainRequestHeaders, noteRoute, routeAgain, upstreamHeaders } from './chain-request.ts'
import { lowercasePairs } from './proxy-headers.ts'
import { makeStreamInfo } from './stream-info.ts'
import { ProxyStream } from './stream.ts'

const empty = new Uint8Array(0)

export class FilteredStream extends ProxyStream implements StreamSink {
  #fs: FilterStream | undefined
  #info: StreamInfo | undefined
  #isDestroyed = false
  #isDispatched = false
  /** The client's body goes to undici as is (no filter reads request bodies). */
  #isRequestBodyPiped = false
  /** The upstream body when filters produce it chunk by chunk. */
  #bodyOut: Readable | undefined
  #isReqPausedByFilter = false
  #isReqPausedByUpstream = false
  #isResponseEndedAtHeaders = false
  #isDownstreamBlocked = false
  /** Upstream response headers went into the chain (a gateway error can no longer go through it). */
  #isResponseFed = false
  /** The content-length the response headers went out with, or -1. */
  #declaredLength = -1

  protected override begin(): void {
    const chain = this.rt?.chain
    if (chain === undefined) return this.dispatch()
    const info = makeStreamInfo(this.ctx, this.req, this.rt, this)
    this.#info = info
    const fs = chain.createStream(info, this)
    this.#fs = fs
    const hasBody = this.body !== null
    this.body = null
    if (hasBody && fs.wantsRequestBody) {
      this.req.on('data', this.#onReqData)
      this.req.on('end', this.#onReqEnd)
    }
    this.#isRequestBodyPiped = hasBody && !fs.wantsRequestBody
    fs.decodeHeaders(chainRequestHeaders(this.method, this.path, this.headers, this.ctx.isTls), !hasBody)
  }

  readonly #onReqData = (chunk: Buffer): void => {
    if (this.#info !== undefined) this.#info.requestBodyBytes += chunk.length
    this.#fs?.decodeData(chunk, false)
  }

  readonly #onReqEnd = (): void => {
    const raw = this.req.rawTrailers
    if (raw.length > 0) this.#fs?.decodeTrailers(HeaderMap.fromRaw(raw))
    else this.#fs?.decodeData(empty, true)
  }

  // StreamSink: the chain's output, request side

  sendRequestHeaders(headers: HeaderMap, endOfStream: boolean): void {
    if (this.#isDispatched || this.res.headersSent) return
    this.method = headers.get(':method') ?? this.method
    this.path = headers.get(':path') ?? this.path
    this.headers = upstreamHeaders(headers)
    if (this.#fs?.isRouteCacheCleared === true && !this.#routeAgain()) return
    const route = this.rt?.route
    if (route?.config.directResponse !== undefined) return this.#answerDirectly()
    if (route !== undefined) this.path = applyRouteRewrites(route, this.path, this.headers)
    if (endOfStream) return this.#dispatchOnce(null)
    if (this.#isRequestBodyPiped) return this.#dispatchOnce(this.req)
    // Else wait for the first data call to know whether the body arrives whole.
  }

  sendRequestData(chunk: Uint8Array, endOfStream: boolean): void {
    if (this.res.headersSent && !this.#isDispatched) return
    if (!this.#isDispatched) {
      if (endOfStream) {
        setHeader(this.headers, 'content-length', String(chunk.byteLength))
        return this.#dispatchOnce(chunk.byteLength > 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : null)
      }
      this.#bodyOut = new Readable({ read: () => this.#setUpstreamPause(false) })
      this.#dispatchOnce(this.#bodyOut)
    }
    const out = this.#bodyOut
    if (out === undefined || out.destroyed) return
    if (chunk.byteLength > 0 && !out.push(Buffer.from(chunk))) this.#setUpstreamPause(true)
    if (endOfStream) out.push(null)
  }

  sendRequestTrailers(_trailers: HeaderMap): void {
    // undici cannot send request trailers; the body ends here and the trailers are dropped.
    this.sendRequestData(empty, true)
  }

  /**
   * A filter changed the request: match the routes again (chain-request.ts). The filter chain
   * that ran stays; the cluster, timeout, direct response and rewrites (handled by the caller for
   * whichever route wins), stats and logs follow the new route. False when no route matches (the
   * request was answered).
   */
  #routeAgain(): boolean {
    const rt = routeAgain(this.ctx, this.method, this.path, this.headers)
    if (rt === this.rt) return true
    if (rt === undefined) {
      this.fail(new WasmgateError('WG_ERR_REQUEST_NO_ROUTE', [this.method, this.path]), true)
      return false
    }
    this.rt = rt
    if (this.#info !== undefined) noteRoute(this.#info, rt)
    return true
  }

  #dispatchOnce(body: Readable | Buffer | null): void {
    if (this.#isDispatched) return
    this.#isDispatched = true
    this.body = body
    this.dispatch()
  }

  // StreamSink: the chain's output, response side

  sendResponseHeaders(headers: HeaderMap, endOfStream: boolean): void {
    if (this.res.headersSent) return
    const status = Number(headers.get(':status')) || 200
    const flat: string[] = []
    const src = headers.flat
    for (let i = 0; i < src.length; i += 2) {
      const name = src[i] as string
      if (name.charCodeAt(0) !== 58 /* ':' */) flat.push(name, src[i + 1] as string)
    }
    this.status = status
    const length = headers.get('content-length')
    this.#declaredLength = length === undefined ? -1 : Number(length)
    this.res.writeHead(status, flat)
    if (endOfStream) this.res.end()
  }

  sendResponseData(chunk: Uint8Array, endOfStream: boolean): void {
    if (this.res.writableEnded) return
    this.bytesOut += chunk.byteLength
    const declared = this.#declaredLength
    if (declared >= 0 && (this.bytesOut > declared || (endOfStream && this.bytesOut !== declared))) this.#onLengthBroken(declared)
    const info = this.#info
    if (info !== undefined) info.responseBodyBytes += chunk.byteLength
    if (endOfStream) {
      this.res.end(chunk)
      return
    }
    if (chunk.byteLength > 0 && !this.res.write(chunk) && !this.#isDownstreamBlocked) {
      this.#isDownstreamBlocked = true
      this.res.once('drain', this.#onDownstreamDrain)
    }
  }

  sendResponseTrailers(trailers: HeaderMap): void {
    if (this.res.writableEnded) return
    this.res.addTrailers(trailers.toObject())
    this.res.end()
  }

  sendLocalReply(status: number, headers: ReadonlyArray<readonly [string, string]>, body: Uint8Array | string, details: string): void {
    this.cancelAttempt()
    if (this.res.headersSent) return
    this.status = status
    // Envoy sets the response code for local replies too: on_log reads it as response.code.
    if (this.#info !== undefined) this.#info.responseCode = status
    this.ctx.logger.debug({ requestId: this.requestId, status, details }, 'filter local reply')
    writeLocalReply(this.res, status, headers, body, this.ctx.headerOptions.requestId ? this.requestId : undefined)
  }

  failStream(code: string, details: string): void {
    this.cancelAttempt()
    this.errorCode = code
    this.ctx.logger.warn({ requestId: this.requestId, code, details, route: this.rt?.route.name }, 'filter failed the request')
    if (this.res.headersSent) {
      this.res.destroy()
      return
    }
    this.status = (errorCodes as Record<string, { httpStatus?: number }>)[code]?.httpStatus ?? 503
    if (this.#info !== undefined) this.#info.responseCode = this.status
    const body = JSON.stringify({ code: code as ErrorCode, requestId: this.requestId })
    writeLocalReply(this.res, this.status, [['content-type', 'application/json']], body, this.requestId)
  }

  resetStream(details: string): void {
    this.cancelAttempt()
    this.ctx.logger.debug({ requestId: this.requestId, details }, 'filter reset the stream')
    this.res.destroy()
    this.req.destroy()
  }

  pauseRequestReading(): void {
    this.#isReqPausedByFilter = true
    this.req.pause()
  }

  resumeRequestReading(): void {
    this.#isReqPausedByFilter = false
    if (!this.#isReqPausedByUpstream) this.req.resume()
  }

  // ProxyStream hooks: upstream events go into the chain

  protected override sendHeadersDownstream(status: number, flat: string[]): boolean {
    const info = this.#info
    if (info !== undefined) {
      info.responseCode = status
      info.upstreamAddress = this.attempt?.endpoint.authority
    }
    const fs = this.#fs
    if (fs === undefined) return super.sendHeadersDownstream(status, flat)
    const isEnd = status === 204 || status === 304 || this.method === 'HEAD' || getHeader(flat, 'content-length') === '0'
    this.#isResponseEndedAtHeaders = isEnd
    this.#isResponseFed = true
    fs.encodeHeaders(new HeaderMap([':status', String(status), ...flat]), isEnd)
    return !this.#isDownstreamBlocked
  }

  protected override sendDataDownstream(chunk: Buffer): boolean {
    const fs = this.#fs
    if (fs === undefined) return super.sendDataDownstream(chunk)
    fs.encodeData(chunk, false)
    return !this.#isDownstreamBlocked
  }

  protected override endDownstream(trailers: Record<string, string> | undefined): void {
    const fs = this.#fs
    if (fs === undefined) return super.endDownstream(trailers)
    if (trailers !== undefined) fs.encodeTrailers(HeaderMap.fromPairs(Object.entries(trailers)))
    else if (!this.#isResponseEndedAtHeaders) fs.encodeData(empty, true)
  }

  /**
   * A gateway error (upstream connect failure, timeout, ...) is a local reply of the router, and
   * Envoy encodes it through every filter's response callbacks: telemetry sees the 503, and
   * header rewrites apply. Too late for that (response under way), it is the plain error path.
   */
  protected override fail(err: WasmgateError, isClientError = false): void {
    const fs = this.#fs
    if (fs === undefined || this.#isResponseFed || this.res.headersSent) return super.fail(err, isClientError)
    this.#isResponseFed = true
    this.cancelAttempt()
    this.errorCode = err.code
    this.logError(err)
    const body = Buffer.from(JSON.stringify(isClientError ? { code: err.code, requestId: this.requestId, message: err.message } : { code: err.code, requestId: this.requestId }))
    this.#replyThroughChain(err.httpStatus ?? 500, ['content-type', 'application/json'], body)
  }

  /** The route's direct response, after the filters' request side and through their response side. */
  #answerDirectly(): void {
    const direct = this.rt?.route.config.directResponse
    if (direct === undefined) return
    this.#replyThroughChain(direct.status, lowercasePairs(direct.headers), Buffer.from(direct.body ?? ''))
  }

  /** A reply of the gateway's own, encoded through the filters' response callbacks. */
  #replyThroughChain(status: number, headers: string[], body: Buffer): void {
    const fs = this.#fs as FilterStream
    this.#isResponseFed = true
    this.status = status
    if (this.#info !== undefined) this.#info.responseCode = status
    const flat = [':status', String(status), ...headers, 'content-length', String(body.length)]
    if (this.ctx.headerOptions.requestId) flat.push('x-request-id', this.requestId)
    fs.encodeHeaders(new HeaderMap(flat), body.length === 0)
    if (body.length > 0) fs.encodeData(body, true)
  }

  protected override onDone(): void {
    if (this.#bodyOut !== undefined && !this.#bodyOut.readableEnded) this.#bodyOut.destroy()
    if (this.#isDestroyed) return
    this.#isDestroyed = true
    this.#fs?.destroy()
  }

  /**
   * A filter changed the body after its headers went out with content-length (as in Envoy, a
   * filter that rewrites a streamed body must remove content-length in its headers callback).
   * The client cannot frame this response, so the connection ends with it.
   */
  #onLengthBroken(declared: number): void {
    this.#declaredLength = -1
    this.ctx.logger.warn({ requestId: this.requestId, route: this.rt?.route.name, declared }, 'a filter changed the response body after content-length was sent; closing the connection (remove content-length in the response headers callback)')
    const socket = this.req.socket
    this.res.once('finish', () => socket.destroySoon())
  }

  readonly #onDownstreamDrain = (): void => {
    this.#isDownstreamBlocked = false
    this.resumeUpstream()
  }

  #setUpstreamPause(paused: boolean): void {
    this.#isReqPausedByUpstream = paused
    if (paused) this.req.pause()
    else if (!this.#isReqPausedByFilter) this.req.resume()
  }
}

function getHeader(flat: readonly string[], name: string): string | undefined {
  for (let i = 0; i < flat.length; i += 2) if (flat[i] === name) return flat[i + 1]
  return undefined
}

/** Sets (or with `undefined`, removes) every entry of a lowercase name in a flat header list. */
function setHeader(flat: string[], name: string, value: string | undefined): void {
  let w = 0
  for (let r = 0; r < flat.length; r += 2) {
    if (flat[r] === name) continue
    flat[w] = flat[r] as string
    flat[w + 1] = flat[r + 1] as string
    w += 2
  }
  flat.length = w
  if (value !== undefined) flat.push(name, value)
}
