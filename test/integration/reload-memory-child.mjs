/**
 * @module
 * The gateway process of reload-memory.test.ts, on the bundle the integration globalSetup builds
 * (dist/index.js; plain node starts it in well under a second, tsx took seconds), plus an admin
 * route that collects garbage and reports process.memoryUsage(), so the test reads the heap and
 * RSS of the proxy itself. Run with `node --expose-gc`.
 */
import { createGateway } from '../../dist/index.js'

const config = JSON.parse(process.argv[2] ?? '{}')
const gw = await createGateway(
  { ...config, listen: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, log: { level: 'warn', accessLog: false } },
  { logLevel: 'warn' },
)
const gc = globalThis.gc
gw.admin.addRoute('GET', '/test/memory', (_req, res) => {
  const reply = (status, body) => {
    const text = JSON.stringify(body)
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text)
  }
  if (gc === undefined) return reply(500, { message: 'run with --expose-gc' })
  // Several passes: instances freed in one pass may release their memories in the next.
  for (let i = 0; i < 4; i++) gc()
  reply(200, process.memoryUsage())
})
process.stdout.write(`${JSON.stringify({ url: gw.url, adminUrl: gw.adminUrl, pid: process.pid })}\n`)
process.once('SIGTERM', () => void gw.close().then(() => process.exit(0)))
