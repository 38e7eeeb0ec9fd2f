/**
 * @module
 * The embedded default's upstream: a loopback node:http server that echoes each request as JSON
 * `{method, path, headers, body}`, so `wasmgate serve` with no config shows what the proxy
 * forwarded (x-forwarded-*, x-request-id, filter changes) without any other program.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface DemoUpstream {
  readonly url: string
  close(): Promise<void>
}

/** Bodies above this are summarised instead of echoed, so the demo never holds a large body. */
const maxEchoBytes = 1024 * 1024

export async function startDemoUpstream(host = '127.0.0.1', port = 0): Promise<DemoUpstream> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size <= maxEchoBytes) chunks.push(c)
    })
    req.on('end', () => {
      const body = size <= maxEchoBytes ? Buffer.concat(chunks).toString('utf8') : `(${size} bytes)`
      const text = `${JSON.stringify({ method: req.method, path: req.url, headers: req.headers, body }, null, 2)}\n`
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
      res.end(text)
    })
  })
  server.keepAliveTimeout = 65_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  const addr = server.address() as AddressInfo
  return {
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
