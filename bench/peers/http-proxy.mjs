// node-http-proxy (`http-proxy`) in front of a keep-alive http.Agent, the way its README
// recommends for throughput.
import { Agent, createServer } from 'node:http'
import httpProxy from 'http-proxy'
import { announce, upstreamFromEnv } from './hop-by-hop.mjs'

const proxy = httpProxy.createProxyServer({ target: upstreamFromEnv(), agent: new Agent({ keepAlive: true }) })
proxy.on('error', (_err, _req, res) => {
  if (res.headersSent) res.destroy()
  else {
    res.writeHead(502, { 'content-type': 'text/plain' })
    res.end('bad gateway\n')
  }
})
const server = createServer((req, res) => proxy.web(req, res))
server.keepAliveTimeout = 60_000
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => announce(server))
process.on('SIGTERM', () => server.close(() => process.exit(0)))
