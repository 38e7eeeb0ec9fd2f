/**
 * @module
 * `wasmgate serve [--config FILE] [--workers N] [--log-level L]`: run the proxy. Without a
 * config it runs the embedded default (demo upstream on loopback, proxy on 127.0.0.1:8080,
 * admin on 127.0.0.1:9901). The config is validated before anything listens or forks.
 * SIGTERM/SIGINT drain in-flight requests (shutdown.drainTimeoutMs), then exit 0.
 */
import cluster from 'node:cluster'
import { dirname, resolve } from 'node:path'
import type { Command } from 'commander'
import { defaultConfig, defaultTryLines } from '../../config/default.ts'
import { loadConfigFile, validateConfig } from '../../config/load.ts'
import type { GatewayConfig } from '../../config/schema.ts'
import { WasmgateError } from '../../errors.ts'
import { createGateway, type Gateway } from '../../index.ts'
import { createLogger, type LogLevel, type Logger } from '../../observability/log.ts'
import { startDemoUpstream, type DemoUpstream } from '../../server/demo-upstream.ts'
import { startWorkerHeartbeat, superviseWorkers } from '../../server/workers.ts'
import { startConfigTriggers } from '../config-triggers.ts'

interface ServeOptions {
  config?: string
  workers: number
  logLevel?: LogLevel
}

const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the proxy (no --config: the embedded default with a demo upstream)')
    .option('-c, --config <file>', 'YAML or JSON config file')
    .option('-w, --workers <n>', 'worker processes sharing the port (node:cluster)', parseWorkers, 1)
    .option('-l, --log-level <level>', `log level: ${levels.join(', ')}`, parseLevel)
    .action((options: ServeOptions) => serve(options))
}

function parseWorkers(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new WasmgateError('WG_ERR_CLI_USAGE', [`--workers must be an integer from 1 to 256 (got ${value})`])
  return n
}

function parseLevel(value: string): LogLevel {
  if (!levels.includes(value)) throw new WasmgateError('WG_ERR_CLI_USAGE', [`--log-level must be one of ${levels.join(', ')} (got ${value})`])
  return value as LogLevel
}

async function serve(options: ServeOptions): Promise<void> {
  // Validate first (in the primary too), so a bad config exits non-zero before listening or forking.
  const fileConfig = options.config === undefined ? undefined : await loadConfigFile(options.config)
  const level = options.logLevel ?? fileConfig?.log.level ?? 'info'
  const logger = createLogger({ level })
  if (options.workers > 1 && cluster.isPrimary) {
    const shutdownMs = fileConfig?.shutdown.drainTimeoutMs ?? 10_000
    const stallTimeoutMs = fileConfig?.workers.stallTimeoutMs ?? 10_000
    // The primary owns the admin port, so an admin change reaches every worker (admin/primary-admin.ts).
    const admin = (fileConfig ?? validateConfig(defaultConfig('http://127.0.0.1:1'))).admin
    await superviseWorkers({ workers: options.workers, logger, shutdownTimeoutMs: shutdownMs + 5_000, stallTimeoutMs, ...(admin.enabled ? { admin } : {}) })
    return
  }
  // First thing in a worker, so the primary's watchdog sees start-up too.
  startWorkerHeartbeat()
  let demo: DemoUpstream | undefined
  let config: GatewayConfig
  if (fileConfig !== undefined) {
    config = fileConfig
  } else {
    demo = await startDemoUpstream()
    config = validateConfig(defaultConfig(demo.url))
  }
  const baseDir = options.config === undefined ? process.cwd() : dirname(resolve(options.config))
  let gateway
  try {
    gateway = await createGateway(config, { logger, baseDir })
  } catch (err) {
    await demo?.close()
    throw err
  }
  if (demo !== undefined && cluster.isPrimary) {
    const tries = defaultTryLines(gateway.url, gateway.adminUrl).map((line) => `  ${line}\n`).join('')
    process.stderr.write(`\nwasmgate is running the embedded default: demo upstream at ${demo.url}, filters telemetry, auth, rate-limit, header-rewrite.\nTry:\n${tries}\n`)
  }
  const gw = gateway
  if (cluster.isWorker && process.env.WASMGATE_STALL_ROUTE_FOR_TESTING === '1') addStallRouteForTesting(gw)
  // SIGHUP (and reload.watchConfig) reload the config file; without one there is nothing to reload.
  const triggers = options.config === undefined ? undefined : startConfigTriggers(options.config, gw, logger)
  if (triggers === undefined) process.on('SIGHUP', () => logger.warn('SIGHUP ignored: running the embedded default, there is no config file to reload'))
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    triggers?.close()
    logger.info({ signal }, 'shutting down: draining in-flight requests')
    void gw
      .close()
      .then(() => demo?.close())
      .then(() => exitAfterFlush(logger, 0))
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
  // A worker is told to stop by its primary through the IPC channel.
  if (cluster.isWorker) process.on('message', (msg) => msg === 'wasmgate:shutdown' && stop('primary'))
}

function exitAfterFlush(logger: Logger, code: number): void {
  logger.flush(() => process.exit(code))
}

/**
 * Test seam for the stalled-worker watchdog: `POST /stall_for_testing` on the admin port
 * answers with the worker's pid, then blocks its event loop for good. Only in a worker, and
 * only with WASMGATE_STALL_ROUTE_FOR_TESTING=1 in the environment.
 */
function addStallRouteForTesting(gw: Gateway): void {
  gw.admin.addRoute('POST', '/stall_for_testing', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', connection: 'close' })
    res.end(JSON.stringify({ pid: process.pid }), () => {
      setTimeout(stallForTesting, 10)
    })
  })
}

function stallForTesting(): void {
  for (;;) {
    // a loop no timer can interrupt, like a filter stuck in a host call
  }
}
