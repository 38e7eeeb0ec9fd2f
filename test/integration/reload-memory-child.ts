/**
 * @module
 * The gateway process of reload-memory.test.ts: test/helpers/gateway-process.ts plus an admin
 * route that collects garbage and reports process.memoryUsage(), so the test reads the heap
 * and RSS of the proxy itself. Run with `node --expose-gc --import tsx`.
 */
import { createGateway } from '../../host/index.ts'
import { sendJson } from '../../host/admin/server.ts'

const config = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>
const gw = await createGateway(
  { ...config, listen: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, log: { level: 'warn', accessLog: false } },
  { logLevel: 'warn' },
)
const gc = (globalThis as { gc?: () => void }).gc
gw.admin.addRoute('GET', '/test/memory', (_req, res) => {
  if (gc === undefined) return sendJson(res, 500, { message: 'run with --expose-gc' })
  // Several passes: instances freed in one pass may release their memories in the next.
  for (let i = 0; i < 4; i++) gc()
  sendJson(res, 200, process.memoryUsage())
})
process.stdout.write(`${JSON.stringify({ url: gw.url, adminUrl: gw.adminUrl, pid: process.pid })}\n`)
process.once('SIGTERM', () => void gw.close().then(() => process.exit(0)))
