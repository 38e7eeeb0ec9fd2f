/**
 * @module
 * A route's filters on an upgrade (WebSocket) handshake, as Envoy runs them: the request headers
 * go through the chain (auth can refuse the upgrade, rewrites apply, an http call holds it), the
 * upstream's 101 or refusal and any gateway error go back through the response callbacks, and
 * on_log runs when the tunnel closes. The tunnelled bytes are not HTTP and bypass the filters.
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WasmgateError, errorCodes } from '../errors.ts'
import type { FilterChain, FilterStream, StreamInfo, StreamSink } from '../filter/contract.ts'
import { HeaderMap } from '../filter/header-map.ts'
import type { ProxyContext, RouteRuntime } from './proxy-context.ts'
import { applyRouteRewrites, chainRequestHeaders, noteRoute, routeAgain, upstreamHeaders } from './chain-request.ts'
import { lowercasePairs } from './proxy-headers.ts'
import { makeStreamInfo } from './stream-info.ts'
import { closingResponseHead, openTunnel, writeResponse, type UpgradeOutcome, type UpgradeTarget, type UpgradeTunnel } from './upgrade-tunnel.ts'

/**
 * The route's filter chain on one upgrade request (the StreamSink of its FilterStream). Nothing
 * goes upstream until the chain has passed the request headers; whatever the client receives
 * (the 101, a refusal, a filter's local reply, a gateway error) has been through the chain's
 * response side, the socket is closed after any answer but a 101, and the chain's end (on_log,
 * on_done, on_delete) comes when the client socket closes.
 */
export class FilteredUpgrade implements StreamSink, UpgradeOutcome {
  readonly #ctx: ProxyContext
  readonly #req: IncomingMessage
  readonly #socket: Duplex
  readonly #head: Buffer
  #rt: RouteRuntime
  readonly #requestId: string
  readonly #fs: FilterStream
  readonly #info: StreamInfo
  #tunnel: UpgradeTunnel | undefined
  #isDispatched = false
  #isAnswered = false

  constructor(ctx: ProxyContext, req: IncomingMessage, socket: Duplex, head: Buffer, rt: RouteRuntime, chain: FilterChain, requestId: string) {
    this.#ctx = ctx
    this.#req = req
    this.#socket = socket
    this.#head = head
    this.#rt = rt
    this.#requestId = requestId
    this.#info = makeStreamInfo(ctx, req, rt, { requestId, startMs: Date.now(), startPerfMs: performance.now() })
    this.#fs = chain.createStream(this.#info, this)
  }

  start(target: UpgradeTarget): void {
    const fs = this.#fs
    this.#socket.once('close', () => {
      this.#tunnel?.abandon()
      fs.destroy()
    })
    // The handshake is all headers: filters see no request body.
    fs.decodeHeaders(chainRequestHeaders(target.method, target.path, target.headers, this.#ctx.isTls), true)
  }

  // StreamSink: request side

  sendRequestHeaders(headers: HeaderMap): void {
    // The client may have gone while a filter held the handshake (an http call, say).
    if (this.#isDispatched || this.#isAnswered || this.#socket.destroyed) return
    this.#isDispatched = true
    const method = headers.get(':method') ?? this.#req.method ?? 'GET'
    let path = headers.get(':path') ?? '/'
    const out = upstreamHeaders(headers)
    if (this.#fs.isRouteCacheCleared) {
      // As for plain requests (FilteredStream): a filter changed the request, so route again.
      const rt = routeAgain(this.#ctx, method, path, out)
      if (rt === undefined) return this.failed(new WasmgateError('WG_ERR_REQUEST_NO_ROUTE', [method, path]))
      if (rt !== this.#rt) {
        this.#rt = rt
        noteRoute(this.#info, rt)
      }
    }
    const route = this.#rt.route
    const direct = route.config.directResponse
    if (direct !== undefined) return this.#encode(direct.status, lowercasePairs(direct.headers), Buffer.from(direct.body ?? ''))
    path = applyRouteRewrites(route, path, out)
    openTunnel(this.#ctx, this.#rt, this.#req, this.#socket, this.#head, this.#requestId, { method, path, headers: out }, this)
  }

  sendRequestData(): void {}
  sendRequestTrailers(): void {}
  pauseRequestReading(): void {}
  resumeRequestReading(): void {}

  // UpgradeOutcome: the upstream's answer, into the chain's response side

  upgraded(status: number, headers: string[], tunnel: UpgradeTunnel): void {
    this.#tunnel = tunnel
    if (this.#socket.destroyed) return tunnel.abandon()
    this.#info.upstreamAddress = tunnel.endpointAuthority
    this.#encode(status, headers, undefined)
  }

  refused(status: number, headers: string[], body: Buffer): void {
    this.#info.responseBodyBytes = body.length
    this.#encode(status, headers, body)
  }

  /** A gateway error (upstream down, no route...), answered through the filters like Envoy's router replies. */
  failed(err: WasmgateError): void {
    this.#ctx.logger.warn({ requestId: this.#requestId, code: err.code, upgrade: true }, err.message)
    const body = Buffer.from(JSON.stringify({ code: err.code, requestId: this.#requestId }))
    const headers = ['content-type', 'application/json']
    if (this.#ctx.headerOptions.requestId) headers.push('x-request-id', this.#requestId)
    this.#encode(err.httpStatus ?? 502, headers, body)
  }

  #encode(status: number, headers: string[], body: Buffer | undefined): void {
    const fs = this.#fs
    if (this.#isAnswered) return
    this.#info.responseCode = status
    const hasBody = body !== undefined && body.length > 0
    fs.encodeHeaders(new HeaderMap([':status', String(status), ...headers]), !hasBody)
    if (hasBody) fs.encodeData(body, true)
  }

  // StreamSink: response side, out to the client socket

  sendResponseHeaders(headers: HeaderMap, endOfStream: boolean): void {
    if (this.#isAnswered) return
    this.#isAnswered = true
    const status = Number(headers.get(':status')) || 200
    const flat: string[] = []
    const src = headers.flat
    for (let i = 0; i < src.length; i += 2) if ((src[i] as string).charCodeAt(0) !== 58) flat.push(src[i] as string, src[i + 1] as string)
    const tunnel = this.#tunnel
    if (tunnel !== undefined && status === 101) return tunnel.accept(101, flat)
    // Not a handshake (a refusal, or a filter turned the 101 into something else): the body, if
    // any, is delimited by closing the connection.
    tunnel?.abandon()
    this.#socket.write(closingResponseHead(status, flat, undefined))
    if (endOfStream) this.#socket.end()
  }

  sendResponseData(chunk: Uint8Array, endOfStream: boolean): void {
    if (chunk.byteLength > 0) this.#socket.write(chunk)
    if (endOfStream) this.#socket.end()
  }

  sendResponseTrailers(): void {
    this.#socket.end()
  }

  sendLocalReply(status: number, headers: ReadonlyArray<readonly [string, string]>, body: Uint8Array | string, details: string): void {
    if (this.#isAnswered) return
    this.#isAnswered = true
    this.#tunnel?.abandon()
    this.#info.responseCode = status
    this.#ctx.logger.debug({ requestId: this.#requestId, status, details, upgrade: true }, 'filter local reply')
    const flat = headers.flatMap(([name, value]) => [name.toLowerCase(), value])
    if (this.#ctx.headerOptions.requestId && !flat.includes('x-request-id')) flat.push('x-request-id', this.#requestId)
    writeResponse(this.#socket, status, flat, typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength))
  }

  failStream(code: string, details: string): void {
    this.#tunnel?.abandon()
    this.#ctx.logger.warn({ requestId: this.#requestId, code, details, upgrade: true }, 'filter failed the request')
    if (this.#isAnswered) return void this.#socket.destroy()
    this.#isAnswered = true
    const status = (errorCodes as Record<string, { httpStatus?: number }>)[code]?.httpStatus ?? 503
    this.#info.responseCode = status
    const body = Buffer.from(JSON.stringify({ code, requestId: this.#requestId }))
    writeResponse(this.#socket, status, ['content-type', 'application/json', 'x-request-id', this.#requestId], body)
  }

  resetStream(): void {
    this.#tunnel?.abandon()
    this.#socket.destroy()
  }
}
