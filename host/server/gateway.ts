/**
 * @module
 * A running gateway: the downstream node:http(s) server, the upstream clusters, the filter
 * runtime and the admin server, started together and drained together. Malformed requests are
 * answered here (`clientError`), before any route or filter sees them.
 */
import cluster from 'node:cluster'
import { readFileSync } from 'node:fs'
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { resolve } from 'node:path'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import { registerCoreRoutes } from '../admin/core-routes.ts'
import { registerFilterRoutes } from '../admin/filters-routes.ts'
import { AdminServer, type AdminRouter } from '../admin/server.ts'
import type { GatewayConfig } from '../config/schema.ts'
import { WasmgateError } from '../errors.ts'
import { ReloadManager } from '../filter/reload-manager.ts'
import { startSourceWatch } from '../filter/reload-watch.ts'
import { createFilterRuntime, type FilterRuntime } from '../filter/runtime.ts'
import { Cluster } from './cluster.ts'
import { ConfigReloader, type ConfigReloadResult } from './config-reload.ts'
import { writeClientError } from './client-error.ts'
import { FilteredStream } from './filtered-stream.ts'
import { GatewayMetrics } from './gateway-metrics.ts'
import { HttpCalls } from './http-call.ts'
import type { ProxyContext, RouteRuntime } from './proxy-context.ts'
import { Router } from './router.ts'
import { ProxyStream } from './stream.ts'
import { tunnelUpgrade } from './websocket.ts'
import { joinPrimaryAdmin } from './worker-ipc.ts'
import { normalizeRequestTarget } from './path-normalize.ts'

/** Set by the primary of `serve --workers` for its workers: the admin URL it serves for them. */
export const adminViaPrimaryEnv = 'WASMGATE_ADMIN_VIA_PRIMARY'

export interface Gateway {
  /** `http(s)://HOST:PORT` of the proxy. */
  readonly url: string
  /** `http://HOST:PORT` of the admin server ('' when admin is disabled). */
  readonly adminUrl: string
  readonly port: number
  readonly adminPort: number
  /**
   * Under `serve --workers`: this worker's own admin server (`http://127.0.0.1:PORT`), which the
   * primary forwards the shared admin port to; '' otherwise.
   */
  readonly workerAdminUrl: string
  /** The config in effect (a config reload replaces it). */
  readonly config: GatewayConfig
  readonly logger: Logger
  readonly metrics: Registry
  /** Register more admin routes (the filter layer adds /filters). */
  readonly admin: AdminRouter
  /** Hot reload of filters: GET/PUT /filters use it; so can code embedding the gateway. */
  readonly filters: ReloadManager
  /**
   * Applies a new config (a plain object, or a function that loads one, e.g. from the config
   * file): filters canaried first, then routes, clusters and filters swapped at once. Rejects
   * with the WasmgateError that refused it; the running config then keeps serving.
   */
  reloadConfig(input: unknown): Promise<ConfigReloadResult>
  /** Stops accepting, lets in-flight requests finish (up to shutdown.drainTimeoutMs), closes everything. */
  close(): Promise<void>
}

export interface GatewayParts {
  readonly config: GatewayConfig
  readonly logger: Logger
  readonly registry: Registry
  readonly baseDir: string
  /** Test seam: build the filter runtime here instead of createFilterRuntime. */
  readonly filterRuntimeForTesting?: typeof createFilterRuntime
}

/** Optional hook a filter runtime may implement to add its admin routes (e.g. /filters). */
interface RuntimeWithAdmin extends FilterRuntime {
  registerAdminRoutes?(router: AdminRouter): void
}

export async function startGateway(parts: GatewayParts): Promise<Gateway> {
  const { config, logger, registry, baseDir } = parts
  const makeRuntime = parts.filterRuntimeForTesting ?? createFilterRuntime
  const clusters = new Map(config.clusters.map((c) => [c.name, new Cluster(c, logger)]))
  const closeClusters = (graceful: boolean) => Promise.all([...clusters.values()].map((c) => c.close(graceful)))
  let runtime: RuntimeWithAdmin
  try {
    runtime = await makeRuntime(config.filters, { logger, metrics: registry, httpCalls: new HttpCalls(clusters), baseDir, limits: config.limits })
  } catch (err) {
    await closeClusters(false)
    throw err
  }
  const metrics = new GatewayMetrics(registry, () => clusters.values())
  const reloads = new ReloadManager(runtime, config.filters, logger, registry)
  const router = new Router(config.routes)
  const routes: RouteRuntime[] = router.routes.map((route) => {
    const cluster = route.config.cluster === undefined ? undefined : clusters.get(route.config.cluster)
    return {
      route,
      cluster,
      chain: route.config.filters.length > 0 ? runtime.chainFor(route.config.filters) : undefined,
      stats: metrics.routeStats(route.name, cluster?.name ?? ''),
      accessLogger: logger.child({ type: 'access', route: route.name, cluster: cluster?.name }),
      timeoutMs: route.config.timeoutMs ?? cluster?.config.timeouts.requestMs ?? 0,
    }
  })
  const ctx: ProxyContext = {
    config,
    router,
    routes,
    noRouteStats: metrics.routeStats('', ''),
    noRouteAccessLogger: logger.child({ type: 'access' }),
    headerOptions: { xForwarded: config.proxyHeaders.xForwarded, requestId: config.proxyHeaders.requestId, via: config.proxyHeaders.via },
    logger,
    metrics,
    accessLog: config.log.accessLog,
    maxRequestBodyBytes: config.limits.maxRequestBodyBytes,
    isTls: config.listen.tls !== undefined,
    isDraining: false,
    inflight: 0,
    onIdle: undefined,
    nextConnectionId: 1,
  }

  const server = createDownstreamServer(config, baseDir)
  // Routes and filters match the normalized path, and the upstream gets it (path-normalize.ts).
  const normalizeTarget = (req: IncomingMessage): void => {
    const paths = ctx.config.paths
    if (paths.normalize && req.url !== undefined) req.url = normalizeRequestTarget(req.url, paths)
  }
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    normalizeTarget(req)
    const rt = ctx.router.match(req as { method: string; url: string; headers: IncomingMessage['headers'] })
    const routeRt = rt === undefined ? undefined : ctx.routes[rt.index]
    const stream = routeRt?.chain === undefined ? new ProxyStream(ctx, req, res, routeRt) : new FilteredStream(ctx, req, res, routeRt)
    stream.start()
  })
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => writeClientError(err, socket, config.limits.maxRequestHeadersBytes, config.limits.requestHeadersTimeoutMs, logger))
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    normalizeTarget(req)
    tunnelUpgrade(ctx, req, socket, head)
  })
  server.on('connection', (socket: Socket) => {
    metrics.downstreamConnections.inc()
    socket.once('close', () => metrics.downstreamConnections.dec())
  })

  const admin = new AdminServer(logger)
  let isReady = false
  registerCoreRoutes(admin, { config: () => ctx.config, registry, clusters: () => clusters.values(), isReady: () => isReady })
  registerFilterRoutes(admin, reloads)
  runtime.registerAdminRoutes?.(admin)
  const sourceWatch = startSourceWatch({ reloads, config: () => ctx.config, baseDir, logger })
  const configReloader = new ConfigReloader({ ctx, clusters, runtime, reloads, metrics, registry, logger, baseDir, afterApply: () => sourceWatch.refresh() })

  // Under `serve --workers` the primary owns the admin port (admin/primary-admin.ts) and names it here.
  const viaPrimary = cluster.isWorker ? process.env[adminViaPrimaryEnv] : undefined
  let port: number
  let adminPort = 0
  try {
    if (viaPrimary === undefined) {
      port = await listen(server, config.listen.host, config.listen.port)
      if (config.admin.enabled) adminPort = await admin.listen(config.admin.host, config.admin.port)
    } else {
      // A worker takes traffic only once the primary has replayed earlier admin changes to it.
      if (config.admin.enabled) {
        adminPort = await admin.listen('127.0.0.1', 0, true)
        await joinPrimaryAdmin(`http://127.0.0.1:${adminPort}`)
      }
      port = await listen(server, config.listen.host, config.listen.port)
    }
  } catch (err) {
    server.close()
    sourceWatch.close()
    await Promise.all([admin.close(), runtime.close(), closeClusters(false)])
    throw err
  }
  for (const c of clusters.values()) c.start()
  isReady = true
  const scheme = ctx.isTls ? 'https' : 'http'
  const url = `${scheme}://${hostForUrl(config.listen.host)}:${port}`
  const ownAdminUrl = config.admin.enabled ? `http://${hostForUrl(viaPrimary === undefined ? config.admin.host : '127.0.0.1')}:${adminPort}` : ''
  const adminUrl = viaPrimary === undefined || !config.admin.enabled ? ownAdminUrl : viaPrimary
  const workerAdminUrl = viaPrimary === undefined ? '' : ownAdminUrl
  logger.info({ url, adminUrl, ...(workerAdminUrl === '' ? {} : { workerAdminUrl }), routes: routes.length, clusters: clusters.size, filters: config.filters.length }, 'gateway listening')

  let closing: Promise<void> | undefined
  const close = async (): Promise<void> => {
    isReady = false
    ctx.isDraining = true
    sourceWatch.close()
    const closed = new Promise<void>((done) => server.close(() => done()))
    server.closeIdleConnections()
    if (ctx.inflight > 0) {
      const drained = new Promise<void>((done) => {
        ctx.onIdle = done
      })
      let timer: NodeJS.Timeout | undefined
      const deadline = new Promise<void>((done) => {
        timer = setTimeout(done, ctx.config.shutdown.drainTimeoutMs)
      })
      await Promise.race([drained, deadline])
      clearTimeout(timer)
      if (ctx.inflight > 0) logger.warn({ inflight: ctx.inflight }, 'drain deadline passed; closing remaining connections')
    }
    server.closeAllConnections()
    await closed
    await Promise.all([closeClusters(ctx.inflight === 0), runtime.close(), admin.close()])
    logger.info('gateway closed')
  }

  return {
    url,
    adminUrl,
    port,
    adminPort,
    workerAdminUrl,
    get config() {
      return ctx.config
    },
    logger,
    metrics: registry,
    admin,
    filters: reloads,
    reloadConfig: (input) => configReloader.apply(input),
    close: () => (closing ??= close()),
  }
}

function createDownstreamServer(config: GatewayConfig, baseDir: string): Server {
  const options = {
    maxHeaderSize: config.limits.maxRequestHeadersBytes,
    keepAlive: true,
    keepAliveTimeout: config.limits.keepAliveTimeoutMs,
    headersTimeout: config.limits.requestHeadersTimeoutMs,
    requestTimeout: 0, // long uploads and downloads are fine; idle clients hit the timeouts above
    noDelay: true,
  }
  const tls = config.listen.tls
  if (tls === undefined) return createHttpServer(options)
  let cert: Buffer
  let key: Buffer
  try {
    cert = readFileSync(resolve(baseDir, tls.cert))
    key = readFileSync(resolve(baseDir, tls.key))
  } catch (err) {
    throw new WasmgateError('WG_ERR_SERVER_TLS', [(err as Error).message], { cause: err })
  }
  try {
    return createHttpsServer({ ...options, cert, key }) as unknown as Server
  } catch (err) {
    throw new WasmgateError('WG_ERR_SERVER_TLS', [(err as Error).message], { cause: err })
  }
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((done, fail) => {
    const onError = (err: Error) => fail(new WasmgateError('WG_ERR_SERVER_LISTEN', [`${host}:${port}`, err.message], { cause: err }))
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      done((server.address() as AddressInfo).port)
    })
  })
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1'
  return host.includes(':') ? `[${host}]` : host
}
