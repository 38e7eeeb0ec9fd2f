// The benchmark upstream: a bare node:http server answering every request with a small body,
// after draining any request body. Runs in its own process; the port comes from PORT (0 picks one).
// It prints one line `{"port":N}` on stdout once listening, so the runner knows where it is.
import { createServer } from 'node:http'

const body = Buffer.from('{"ok":true,"from":"upstream"}\n')
const headers = { 'content-type': 'application/json', 'content-length': String(body.length) }

function answer(res) {
  res.writeHead(200, headers)
  res.end(body)
}

const server = createServer((req, res) => {
  if (req.method === 'GET' || req.method === 'HEAD') {
    answer(res)
    return
  }
  // Drain without keeping the bytes: the cost we want is the proxy's, not ours.
  req.on('data', () => {})
  req.on('end', () => answer(res))
})
// Proxies keep pooled connections idle between rounds; do not close them under their feet.
server.keepAliveTimeout = 120_000
server.headersTimeout = 121_000

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n')
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
