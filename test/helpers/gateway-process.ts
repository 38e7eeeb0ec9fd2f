/**
 * @module
 * Runs one gateway in its own process (for tests that measure it, e.g. RSS while streaming):
 * `node --import tsx test/helpers/gateway-process.ts '<config JSON>'`. Prints one JSON line
 * `{url, adminUrl, pid}` on stdout once listening; closes on SIGTERM.
 */
import { createGateway } from '../../host/index.ts'

const config = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>
const gw = await createGateway(
  { ...config, listen: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, log: { level: 'warn', accessLog: false } },
  { logLevel: 'warn' },
)
process.stdout.write(`${JSON.stringify({ url: gw.url, adminUrl: gw.adminUrl, pid: process.pid })}\n`)
process.once('SIGTERM', () => void gw.close().then(() => process.exit(0)))
