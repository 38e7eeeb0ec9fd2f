/**
 * @module
 * One upgrade (WebSocket) handshake sent upstream and, on `101 Switching Protocols`, the two
 * sockets piped together until either side closes. A non-101 answer is relayed as a plain
 * response. Without filters the tunnel answers the client itself; with them (filtered-upgrade.ts)
 * it hands the upstream's answer to an UpgradeOutcome.
 */
import { randomUUID } from 'node:crypto'
import { STATUS_CODES, type IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Dispatcher } from 'undici'
import { WasmgateError } from '../errors.ts'
import type { Cluster } from './cluster.ts'
import type { Endpoint } from './endpoint.ts'
import type { ProxyContext, RouteRuntime } from './proxy-context.ts'
import { buildResponseHeaders } from './proxy-headers.ts'
import { toUpstreamError } from './upstream.ts'

/** What goes upstream: method, path and headers without pseudo-headers (host included). */
export interface UpgradeTarget {
  readonly method: string
  readonly path: string
  readonly headers: string[]
}

/** Where a tunnel's outcome goes when filters run: back through the chain. */
export interface UpgradeOutcome {
  upgraded(status: number, headers: string[], tunnel: UpgradeTunnel): void
  refused(status: number, headers: string[], body: Buffer): void
  failed(err: WasmgateError): void
}

export function openTunnel(ctx: ProxyContext, rt: RouteRuntime, req: IncomingMessage, socket: Duplex, head: Buffer, requestId: string, target: UpgradeTarget, outcome: UpgradeOutcome | undefined): void {
  const cluster = rt.cluster
  const fail = (err: WasmgateError) => (outcome === undefined ? writeError(ctx, socket, err, requestId) : outcome.failed(err))
  if (cluster === undefined) return fail(new WasmgateError('WG_ERR_REQUEST_NO_ROUTE', [target.method, target.path]))
  const picked = cluster.acquire(undefined)
  if (picked instanceof WasmgateError) return fail(picked)
  const tunnel = new UpgradeTunnel(ctx, cluster, picked, socket, head, requestId, outcome)
  picked.pool.dispatch(
    { method: target.method, path: target.path, headers: target.headers, upgrade: req.headers.upgrade ?? 'websocket', headersTimeout: rt.timeoutMs },
    tunnel as unknown as Dispatcher.DispatchHandler,
  )
}

export class UpgradeTunnel {
  readonly #ctx: ProxyContext
  readonly #cluster: Cluster
  readonly #endpoint: Endpoint
  readonly #client: Duplex
  readonly #head: Buffer
  readonly #requestId: string
  readonly #outcome: UpgradeOutcome | undefined
  #upstream: Duplex | undefined
  #isReleased = false
  #isConnected = false
  #status = 0
  #headers: string[] = []
  readonly #chunks: Buffer[] = []

  constructor(ctx: ProxyContext, cluster: Cluster, endpoint: Endpoint, client: Duplex, head: Buffer, requestId: string, outcome: UpgradeOutcome | undefined) {
    this.#ctx = ctx
    this.#cluster = cluster
    this.#endpoint = endpoint
    this.#client = client
    this.#head = head
    this.#requestId = requestId
    this.#outcome = outcome
  }

  get endpointAuthority(): string {
    return this.#endpoint.authority
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
    this.#upstream = upstream
    // Upgrade responses keep `connection` and `upgrade`: they are this hop's handshake.
    const headers: string[] = []
    for (let i = 0; i < rawHeaders.length; i += 2) headers.push((rawHeaders[i] as Buffer).toString('latin1').toLowerCase(), (rawHeaders[i + 1] as Buffer).toString('latin1'))
    if (this.#ctx.headerOptions.requestId) headers.push('x-request-id', this.#requestId)
    if (this.#outcome !== undefined) return this.#outcome.upgraded(status, headers, this)
    this.accept(status, headers)
  }

  /** Answers the client's handshake with `headers` and joins the two sockets. */
  accept(status: number, headers: readonly string[]): void {
    const client = this.#client
    const upstream = this.#upstream as Duplex
    client.write(responseHead(status, headers))
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

  /** The handshake was turned down after the upstream accepted it (a filter answered instead). */
  abandon(): void {
    this.#upstream?.destroy()
    this.#release(101)
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
    if (this.#outcome !== undefined) return this.#outcome.refused(this.#status, this.#headers, body)
    writeResponse(this.#client, this.#status, this.#headers, body)
  }

  onError(err: Error): void {
    this.#release(0)
    const [wgErr] = toUpstreamError(err, this.#endpoint.url, 0, this.#isConnected)
    if (this.#outcome !== undefined) return this.#outcome.failed(wgErr)
    writeError(this.#ctx, this.#client, wgErr, this.#requestId)
  }

  onBodySent(): void {}
  onResponseStarted(): void {}
}

/** Headers that frame a message: a response written here frames itself (length, or close). */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'upgrade'])

/**
 * A response head that ends its connection: `headers` without their framing (a flat list),
 * then `content-length` when `bodyLength` is known (else the close delimits the body) and
 * `connection: close`.
 */
export function closingResponseHead(status: number, headers: readonly string[], bodyLength: number | undefined): string {
  const kept: string[] = []
  for (let i = 0; i < headers.length; i += 2) if (!FRAMING.has(headers[i] as string)) kept.push(headers[i] as string, headers[i + 1] as string)
  if (bodyLength !== undefined) kept.push('content-length', String(bodyLength))
  kept.push('connection', 'close')
  return responseHead(status, kept)
}

export function responseHead(status: number, headers: readonly string[]): string {
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}`]
  for (let i = 0; i < headers.length; i += 2) lines.push(`${headers[i]}: ${headers[i + 1]}`)
  return `${lines.join('\r\n')}\r\n\r\n`
}

/** A whole response on a raw socket, then the socket is closed (an upgrade that did not happen). */
export function writeResponse(socket: Duplex, status: number, headers: readonly string[], body: Buffer): void {
  if (!socket.writable) return void socket.destroy()
  socket.end(Buffer.concat([Buffer.from(closingResponseHead(status, headers, body.length), 'latin1'), body]))
}

export function writeError(ctx: ProxyContext, socket: Duplex, err: WasmgateError, requestId: string = randomUUID()): void {
  ctx.logger.warn({ requestId, code: err.code, upgrade: true }, err.message)
  const body = Buffer.from(JSON.stringify({ code: err.code, requestId }))
  writeResponse(socket, err.httpStatus ?? 502, ['content-type', 'application/json', 'x-request-id', requestId], body)
}

