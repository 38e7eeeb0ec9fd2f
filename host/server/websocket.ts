/**
 * @module
 * Upgrade (WebSocket) tunnelling: the request is routed like any other, sent to an endpoint with
 * undici's `upgrade` option, and on `101 Switching Protocols` the two sockets are piped together
 * until either side closes. A non-101 answer is relayed as a plain response. Filters do not run
 * on tunnelled bytes (they are not HTTP); the route's filters are skipped for upgrades.
 */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Dispatcher } from 'undici'
import { WasmgateError } from '../errors.ts'
import type { Cluster } from './cluster.ts'
import type { Endpoint } from './endpoint.ts'
import type { ProxyContext } from './proxy-context.ts'
import { buildRequestHeaders, buildResponseHeaders } from './proxy-headers.ts'
import { rewritePath } from './router.ts'
import { toUpstreamError } from './upstream.ts'

export function tunnelUpgrade(ctx: ProxyContext, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => socket.destroy())
  const route = ctx.router.match(req as { method: string; url: string; headers: IncomingMessage['headers'] })
  const rt = route === undefined ? undefined : ctx.routes[route.index]
  const cluster = rt?.cluster
  const clientIp = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '')
  const hdr = buildRequestHeaders(req.rawHeaders, ctx.headerOptions, clientIp, ctx.isTls ? 'https' : 'http', route?.config.rewrite?.host)
  if (rt === undefined || cluster === undefined) {
    return writeError(ctx, socket, new WasmgateError('WG_ERR_REQUEST_NO_ROUTE', [req.method ?? '', req.url ?? '']), hdr.requestId)
  }
  const picked = cluster.acquire(undefined)
  if (picked instanceof WasmgateError) return writeError(ctx, socket, picked, hdr.requestId)
  const tunnel = new UpgradeTunnel(ctx, cluster, picked, socket, head, hdr.requestId)
  picked.pool.dispatch(
    {
      method: req.method ?? 'GET',
      path: rewritePath(rt.route, req.url ?? '/'),
      headers: hdr.flat,
      upgrade: req.headers.upgrade ?? 'websocket',
      headersTimeout: rt.timeoutMs,
    },
    tunnel as unknown as Dispatcher.DispatchHandler,
  )
}

class UpgradeTunnel {
  readonly #ctx: ProxyContext
  readonly #cluster: Cluster
  readonly #endpoint: Endpoint
  readonly #client: Duplex
  readonly #head: Buffer
  readonly #requestId: string
  #isReleased = false
  #isConnected = false
  #status = 0
  #headers: string[] = []
  readonly #chunks: Buffer[] = []

  constructor(ctx: ProxyContext, cluster: Cluster, endpoint: Endpoint, client: Duplex, head: Buffer, requestId: string) {
    this.#ctx = ctx
    this.#cluster = cluster
    this.#endpoint = endpoint
    this.#client = client
    this.#head = head
    this.#requestId = requestId
  }

  #release(status: number): void {
    if (this.#isReleased) return
    this.#isReleased = true
    this.#cluster.release(this.#endpoint, status)
  }

  onConnect(abort: (err?: Error) => void): void {
    this.#isConnected = true
    this.#client.once('close', () => abort())
  }

  onUpgrade(status: number, rawHeaders: Buffer[], upstream: Duplex): void {
    const client = this.#client
    const lines = [`HTTP/1.1 ${status} Switching Protocols`]
    // Upgrade responses keep `connection` and `upgrade`: they are this hop's handshake.
    for (let i = 0; i < rawHeaders.length; i += 2) lines.push(`${(rawHeaders[i] as Buffer).toString('latin1')}: ${(rawHeaders[i + 1] as Buffer).toString('latin1')}`)
    if (this.#ctx.headerOptions.requestId) lines.push(`x-request-id: ${this.#requestId}`)
    client.write(`${lines.join('\r\n')}\r\n\r\n`)
    if (this.#head.length > 0) upstream.write(this.#head)
    const end = () => {
      client.destroy()
      upstream.destroy()
      this.#release(101)
    }
    upstream.on('error', end)
    client.on('error', end)
    upstream.on('close', end)
    client.on('close', end)
    upstream.pipe(client)
    client.pipe(upstream)
    this.#ctx.logger.info({ type: 'access', requestId: this.#requestId, status, upgrade: true, upstream: this.#endpoint.url }, 'upgrade tunnel opened')
  }

  onHeaders(status: number, rawHeaders: Buffer[]): boolean {
    this.#status = status
    this.#headers = buildResponseHeaders(rawHeaders, this.#ctx.headerOptions, this.#requestId)
    return true
  }

  onData(chunk: Buffer): boolean {
    this.#chunks.push(chunk)
    return true
  }

  onComplete(): void {
    this.#release(this.#status)
    const body = Buffer.concat(this.#chunks)
    const lines = [`HTTP/1.1 ${this.#status} Upgrade Refused`]
    for (let i = 0; i < this.#headers.length; i += 2) {
      if (this.#headers[i] !== 'content-length') lines.push(`${this.#headers[i]}: ${this.#headers[i + 1]}`)
    }
    lines.push(`content-length: ${body.length}`, 'connection: close')
    this.#client.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]))
  }

  onError(err: Error): void {
    this.#release(0)
    const [wgErr] = toUpstreamError(err, this.#endpoint.url, 0, this.#isConnected)
    writeError(this.#ctx, this.#client, wgErr, this.#requestId)
  }

  onBodySent(): void {}
  onResponseStarted(): void {}
}

function writeError(ctx: ProxyContext, socket: Duplex, err: WasmgateError, requestId: string = randomUUID()): void {
  ctx.logger.warn({ requestId, code: err.code, upgrade: true }, err.message)
  if (!socket.writable) return void socket.destroy()
  const status = err.httpStatus ?? 502
  const body = JSON.stringify({ code: err.code, requestId })
  socket.end(`HTTP/1.1 ${status} Error\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`)
}
