// The dispatch peer again, written with undici 7's newer handler shape (onRequestStart,
// onResponseStart with a headers object, a controller for pause/resume). undici wraps such a
// handler and parses the raw headers into an object per response; this peer shows what that
// costs next to minimal-undici-dispatch.mjs (same proxy otherwise).
import { createServer } from 'node:http'
import { Pool } from 'undici'
import { announce, forwardable, HOP_BY_HOP, upstreamFromEnv } from './hop-by-hop.mjs'

const pool = new Pool(upstreamFromEnv(), { keepAliveTimeout: 60_000 })

class ProxyHandler {
  constructor(res) {
    this.res = res
  }

  onRequestStart(controller) {
    this.controller = controller
  }

  onResponseStart(controller, statusCode, headers) {
    if (statusCode < 200) return
    const out = {}
    for (const name in headers) if (!HOP_BY_HOP.has(name)) out[name] = headers[name]
    this.res.writeHead(statusCode, out)
  }

  onResponseData(controller, chunk) {
    if (!this.res.write(chunk)) {
      controller.pause()
      this.res.once('drain', () => controller.resume())
    }
  }

  onResponseEnd() {
    this.res.end()
  }

  onResponseError(_controller, err) {
    if (this.res.headersSent) this.res.destroy(err)
    else {
      this.res.writeHead(502, { 'content-type': 'text/plain' })
      this.res.end('bad gateway\n')
    }
  }
}

const server = createServer((req, res) => {
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined
  pool.dispatch({ method: req.method, path: req.url, headers: forwardable(req.rawHeaders), body: hasBody ? req : null }, new ProxyHandler(res))
})
server.keepAliveTimeout = 60_000
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => announce(server))
process.on('SIGTERM', () => server.close(() => process.exit(0)))
