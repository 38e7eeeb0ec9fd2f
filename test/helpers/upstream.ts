/**
 * @module
 * A real node:http upstream on 127.0.0.1:0 for tests. By default it echoes the request as JSON
 * `{method, path, headers, body}`; pass a handler to answer otherwise. Counts requests, and is
 * closed when the test finishes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { onTestFinished } from 'vitest'

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>

export interface Upstream {
  /** `http://127.0.0.1:PORT` */
  readonly url: string
  readonly port: number
  readonly server: Server
  /** Requests received so far. */
  readonly requests: number
  close(): Promise<void>
}

export interface EchoBody {
  method: string
  path: string
  headers: Record<string, string | string[] | undefined>
  body: string
}

export function echo(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const text = JSON.stringify({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: body.toString('utf8') } satisfies EchoBody)
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

export interface StartUpstreamOptions {
  /** Do not read the body before calling the handler (for streaming tests). */
  readonly raw?: boolean
  /** Keep the server open after the test (the caller closes it). */
  readonly keep?: boolean
}

export async function startUpstream(handler: UpstreamHandler = echo, options: StartUpstreamOptions = {}): Promise<Upstream> {
  let requests = 0
  const server = createServer((req, res) => {
    requests++
    const run = (body: Buffer) => {
      Promise.resolve(handler(req, res, body)).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(err))
        else res.destroy()
      })
    }
    if (options.raw) return run(Buffer.alloc(0))
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => run(Buffer.concat(chunks)))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  let closed: Promise<void> | undefined
  const upstream: Upstream = {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    get requests() {
      return requests
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closed
    },
  }
  if (!options.keep) onTestFinished(() => upstream.close())
  return upstream
}
