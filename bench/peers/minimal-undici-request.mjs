// The smallest honest node:http + undici reverse proxy on undici's `request()` API: the response
// body arrives as a Readable and is piped to the client. Same header work as the dispatch peer.
import { createServer } from 'node:http'
import { pipeline } from 'node:stream'
import { Pool } from 'undici'
import { announce, forwardable, HOP_BY_HOP, upstreamFromEnv } from './hop-by-hop.mjs'

const pool = new Pool(upstreamFromEnv(), { keepAliveTimeout: 60_000 })

function responseHeaders(headers) {
  const out = {}
  for (const name in headers) if (!HOP_BY_HOP.has(name)) out[name] = headers[name]
  return out
}

const server = createServer(async (req, res) => {
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined
  try {
    const up = await pool.request({ method: req.method, path: req.url, headers: forwardable(req.rawHeaders), body: hasBody ? req : null })
    res.writeHead(up.statusCode, responseHeaders(up.headers))
    pipeline(up.body, res, () => {})
  } catch {
    if (res.headersSent) res.destroy()
    else {
      res.writeHead(502, { 'content-type': 'text/plain' })
      res.end('bad gateway\n')
    }
  }
})
server.keepAliveTimeout = 60_000
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => announce(server))
process.on('SIGTERM', () => server.close(() => process.exit(0)))
