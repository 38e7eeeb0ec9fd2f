// The smallest honest node:http + undici reverse proxy, on undici's `dispatch()` handler API:
// a Pool per upstream with keep-alive, hop-by-hop headers removed both ways, bodies streamed
// with backpressure both ways. It uses the handler shape undici calls natively (onConnect,
// onHeaders with raw Buffer headers, onData, onComplete, onError): the newer onRequestStart
// shape is wrapped by undici and its headers parsed into an object on every response.
import { createServer } from 'node:http'
import { Pool } from 'undici'
import { announce, forwardable, upstreamFromEnv } from './hop-by-hop.mjs'

const pool = new Pool(upstreamFromEnv(), { keepAliveTimeout: 60_000 })

class ProxyHandler {
  constructor(req, res) {
    this.req = req
    this.res = res
  }

  onConnect(abort) {
    this.abort = abort
  }

  onHeaders(statusCode, rawHeaders, resume) {
    if (statusCode < 200) return true
    this.res.writeHead(statusCode, forwardable(rawHeaders))
    this.resume = resume
    return true
  }

  onData(chunk) {
    if (this.res.write(chunk)) return true
    this.res.once('drain', this.resume)
    return false
  }

  onComplete() {
    this.res.end()
  }

  onError(err) {
    if (this.res.headersSent) this.res.destroy(err)
    else {
      this.res.writeHead(502, { 'content-type': 'text/plain' })
      this.res.end('bad gateway\n')
    }
  }
}

const server = createServer((req, res) => {
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined
  pool.dispatch(
    { method: req.method, path: req.url, headers: forwardable(req.rawHeaders), body: hasBody ? req : null },
    new ProxyHandler(req, res),
  )
})
server.keepAliveTimeout = 60_000
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => announce(server))
process.on('SIGTERM', () => server.close(() => process.exit(0)))
