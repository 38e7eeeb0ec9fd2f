/**
 * @module
 * The admin HTTP server (its own port, loopback by default). Routes are registered by whoever
 * owns them: core-routes.ts adds health, stats, config and clusters; the filter layer adds its
 * /filters routes through the same `AdminRouter`. A handler's WasmgateError becomes
 * `{code, message}` with the error's status.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import { WasmgateError, isWasmgateError } from '../errors.ts'

export interface AdminParams {
  /** The request path without the query string. */
  readonly path: string
  /** For a `/prefix/*` route: what follows `/prefix/` (URL-decoded). */
  readonly rest: string
  readonly query: URLSearchParams
}

export type AdminHandler = (req: IncomingMessage, res: ServerResponse, params: AdminParams) => void | Promise<void>

export interface AdminRouter {
  /** `path` is exact, or ends in `/*` to match everything below it. Later routes do not shadow earlier ones. */
  addRoute(method: string, path: string, handler: AdminHandler): void
}

interface AdminRoute {
  readonly method: string
  readonly path: string
  readonly isPrefix: boolean
  readonly handler: AdminHandler
}

export class AdminServer implements AdminRouter {
  readonly #routes: AdminRoute[] = []
  readonly #server: Server
  readonly #logger: Logger

  constructor(logger: Logger) {
    this.#logger = logger
    this.#server = createServer((req, res) => void this.#handle(req, res))
    this.#server.keepAliveTimeout = 5_000
  }

  addRoute(method: string, path: string, handler: AdminHandler): void {
    const isPrefix = path.endsWith('/*')
    this.#routes.push({ method: method.toUpperCase(), path: isPrefix ? path.slice(0, -1) : path, isPrefix, handler })
  }

  /** `exclusive`: in a cluster worker, a port of its own instead of one shared with the other workers. */
  listen(host: string, port: number, exclusive = false): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(new WasmgateError('WG_ERR_SERVER_LISTEN', [`${host}:${port}`, err.message], { cause: err }))
      this.#server.once('error', onError)
      this.#server.listen({ port, host, exclusive }, () => {
        this.#server.off('error', onError)
        resolve((this.#server.address() as AddressInfo).port)
      })
    })
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve())
      this.#server.closeAllConnections()
    })
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://admin')
    const path = url.pathname
    const method = req.method ?? 'GET'
    let pathMatched = false
    for (const r of this.#routes) {
      const hit = r.isPrefix ? path.startsWith(r.path) && path.length > r.path.length : path === r.path
      if (!hit) continue
      pathMatched = true
      if (r.method !== method && !(method === 'HEAD' && r.method === 'GET')) continue
      const rest = r.isPrefix ? decodeURIComponent(path.slice(r.path.length)) : ''
      try {
        await r.handler(req, res, { path, rest, query: url.searchParams })
      } catch (err) {
        this.#fail(res, err)
      }
      return
    }
    const err = pathMatched
      ? new WasmgateError('WG_ERR_ADMIN_BAD_REQUEST', [`${method} is not allowed on ${path}`])
      : new WasmgateError('WG_ERR_ADMIN_NOT_FOUND', [path])
    sendJson(res, pathMatched ? 405 : 404, { code: err.code, message: err.message })
  }

  #fail(res: ServerResponse, err: unknown): void {
    if (res.headersSent) {
      res.destroy()
      return
    }
    if (isWasmgateError(err)) {
      sendJson(res, err.httpStatus ?? 500, { code: err.code, message: err.message, hint: err.hint })
      return
    }
    this.#logger.error({ err }, 'admin handler failed')
    sendJson(res, 500, { code: 'WG_ERR_ADMIN_INTERNAL', message: (err as Error)?.message ?? String(err) })
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/** Reads a request body up to `maxBytes`; larger gets WG_ERR_ADMIN_BAD_REQUEST. */
export async function readBody(req: IncomingMessage, maxBytes = 64 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > maxBytes) throw new WasmgateError('WG_ERR_ADMIN_BAD_REQUEST', [`body larger than ${maxBytes} bytes`])
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}
