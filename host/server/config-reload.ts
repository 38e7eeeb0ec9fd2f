/**
 * @module
 * Applies a new gateway config to a running gateway (SIGHUP, a watched config file, or code).
 * The new config is validated with the same schema as at boot; every new or changed filter is
 * started on a canary; only when all of that succeeded are filters, clusters and routes swapped,
 * in one synchronous step, so a request sees either the whole old config or the whole new one.
 * Requests in flight keep the route, cluster and filter instances they started with. A refused
 * config changes nothing. Listener, admin and server limits need a restart: they are reported,
 * not applied.
 */
import { readFile } from 'node:fs/promises'
import { isAbsolute, resolve as resolvePath } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import type { Logger } from 'pino'
import { Counter, type Registry } from 'prom-client'
import { loadConfigFile, validateConfig } from '../config/load.ts'
import type { ClusterConfig, FilterConfig, GatewayConfig } from '../config/schema.ts'
import { isWasmgateError } from '../errors.ts'
import type { ReloadManager } from '../filter/reload-manager.ts'
import type { FilterRuntime, PreparedFilter } from '../filter/runtime.ts'
import { sha256Hex } from '../vm/module-cache.ts'
import { Cluster } from './cluster.ts'
import type { GatewayMetrics } from './gateway-metrics.ts'
import type { ProxyContext, RouteRuntime } from './proxy-context.ts'
import { Router } from './router.ts'

export interface ConfigReloadResult {
  readonly filters: { readonly added: string[]; readonly replaced: string[]; readonly removed: string[] }
  readonly clusters: { readonly added: string[]; readonly replaced: string[]; readonly removed: string[] }
  readonly routes: number
  /** Config paths that changed but only take effect after a restart. */
  readonly needsRestart: string[]
}

export interface ConfigReloadParts {
  /** The gateway's shared request state; its router, routes and config are swapped here. */
  readonly ctx: ProxyContext
  /** The gateway's clusters, updated in place (http callouts look clusters up in it). */
  readonly clusters: Map<string, Cluster>
  readonly runtime: FilterRuntime
  readonly reloads: ReloadManager
  readonly metrics: GatewayMetrics
  readonly registry: Registry
  readonly logger: Logger
  readonly baseDir: string
  /** Called after a config was applied (e.g. to re-arm the .wasm file and OCI tag watches). */
  readonly afterApply?: () => void
}

/** Sections a running server cannot change (sockets and server options are made at listen). */
const RESTART_SECTIONS = ['listen', 'admin', 'workers'] as const
const RESTART_LIMITS = ['maxRequestHeadersBytes', 'requestHeadersTimeoutMs', 'keepAliveTimeoutMs'] as const

export class ConfigReloader {
  readonly #p: ConfigReloadParts
  readonly #counter: Counter<string>

  constructor(parts: ConfigReloadParts) {
    this.#p = parts
    this.#counter = new Counter({ name: 'wasmgate_config_reloads_total', help: 'Config reloads by result (ok or refused)', labelNames: ['result'], registers: [parts.registry] })
  }

  /** Reads, validates and applies a config file (SIGHUP, the config watch). */
  applyFile(file: string): Promise<ConfigReloadResult> {
    return this.apply(() => loadConfigFile(file))
  }

  /** Validates `input` (a plain object or a validated config) and applies it; throws WG_ERR_* and changes nothing when refused. */
  async apply(input: unknown): Promise<ConfigReloadResult> {
    const log = this.#p.logger
    try {
      const raw = typeof input === 'function' ? await (input as () => Promise<GatewayConfig>)() : input
      const next = Object.isFrozen(raw) ? (raw as GatewayConfig) : validateConfig(raw)
      const result = await this.#p.reloads.exclusive(() => this.#apply(next))
      this.#counter.labels('ok').inc()
      log.info({ ...result }, 'config reloaded')
      if (result.needsRestart.length > 0) {
        log.warn({ code: 'WG_ERR_CONFIG_RESTART_REQUIRED', paths: result.needsRestart }, `config reload cannot change ${result.needsRestart.join(', ')}; restart to apply them`)
      }
      return result
    } catch (err) {
      this.#counter.labels('refused').inc()
      const code = isWasmgateError(err) ? err.code : undefined
      log.error({ code, err: (err as Error)?.message }, 'config reload refused; the running config keeps serving')
      throw err
    }
  }

  async #apply(next: GatewayConfig): Promise<ConfigReloadResult> {
    const { ctx, clusters, runtime, reloads } = this.#p
    const prev = ctx.config
    // 1. Canary every new or changed filter; any refusal discards them all.
    const prepared: Array<{ config: FilterConfig; filter: PreparedFilter }> = []
    try {
      for (const f of next.filters) {
        if (!(await this.#filterChanged(f))) continue
        prepared.push({ config: f, filter: await reloads.prepare(f, 'config') })
      }
    } catch (err) {
      for (const p of prepared) reloads.discard(p.filter)
      throw err
    }
    const added = prepared.filter((p) => !p.filter.isReplacement).map((p) => p.config.name)
    const replaced = prepared.filter((p) => p.filter.isReplacement).map((p) => p.config.name)
    const keep = new Set(next.filters.map((f) => f.name))
    const removed = reloads.names().filter((n) => !keep.has(n))

    // 2. Everything below is synchronous: no request can see half of it.
    for (const p of prepared) reloads.commit(p.config, p.filter, 'config')
    const clusterChange = this.#swapClusters(prev.clusters, next.clusters)
    const router = new Router(next.routes)
    // Before the access loggers are made: a pino child takes its parent's level when created.
    if (next.log.level !== prev.log.level) {
      this.#p.logger.level = next.log.level
      ctx.noRouteAccessLogger = this.#p.logger.child({ type: 'access' })
    }
    ctx.routes = router.routes.map((route): RouteRuntime => {
      const cluster = route.config.cluster === undefined ? undefined : clusters.get(route.config.cluster)
      return {
        route,
        cluster,
        chain: route.config.filters.length > 0 ? runtime.chainFor(route.config.filters) : undefined,
        stats: this.#p.metrics.routeStats(route.name, cluster?.name ?? ''),
        accessLogger: this.#p.logger.child({ type: 'access', route: route.name, cluster: cluster?.name }),
        timeoutMs: route.config.timeoutMs ?? cluster?.config.timeouts.requestMs ?? 0,
      }
    })
    ctx.router = router
    ctx.config = next
    ctx.headerOptions = { xForwarded: next.proxyHeaders.xForwarded, requestId: next.proxyHeaders.requestId, via: next.proxyHeaders.via }
    ctx.accessLog = next.log.accessLog
    ctx.maxRequestBodyBytes = next.limits.maxRequestBodyBytes
    for (const name of removed) reloads.unload(name, 'config')
    this.#p.afterApply?.()
    return { filters: { added, replaced, removed }, clusters: clusterChange, routes: router.routes.length, needsRestart: restartPaths(prev, next) }
  }

  /** New, changed, or a path source whose file now holds other bytes. */
  async #filterChanged(f: FilterConfig): Promise<boolean> {
    const cur = this.#p.reloads.configOf(f.name)
    if (cur === undefined) return true
    if (!isDeepStrictEqual({ ...cur, pullPolicy: undefined }, { ...f, pullPolicy: undefined })) return true
    if (f.source.includes('://')) return false // oci:// moves are watched by the tag poller
    const row = this.#p.reloads.get(f.name)
    try {
      const path = isAbsolute(f.source) ? f.source : resolvePath(this.#p.baseDir, f.source)
      return row !== undefined && sha256Hex(await readFile(path)) !== row.sha256
    } catch {
      return true // unreadable now: let the canary report why
    }
  }

  /** Adds new clusters, replaces changed ones, closes removed and replaced ones once their requests finish. */
  #swapClusters(prev: readonly ClusterConfig[], next: readonly ClusterConfig[]): ConfigReloadResult['clusters'] {
    const { clusters, logger } = this.#p
    const before = new Map(prev.map((c) => [c.name, c]))
    const added: string[] = []
    const replaced: string[] = []
    const retired: Cluster[] = []
    for (const c of next) {
      const old = before.get(c.name)
      if (old !== undefined && isDeepStrictEqual(old, c) && clusters.has(c.name)) continue
      const fresh = new Cluster(c, logger)
      const current = clusters.get(c.name)
      if (current !== undefined) retired.push(current)
      clusters.set(c.name, fresh)
      fresh.start()
      ;(current === undefined ? added : replaced).push(c.name)
    }
    const keep = new Set(next.map((c) => c.name))
    const removed = [...clusters.keys()].filter((n) => !keep.has(n))
    for (const n of removed) {
      retired.push(clusters.get(n) as Cluster)
      clusters.delete(n)
    }
    // Graceful: undici lets requests already dispatched finish before the pools close.
    for (const c of retired) void c.close(true).catch((err: unknown) => logger.warn({ cluster: c.name, err }, 'closing a replaced cluster failed'))
    return { added, replaced, removed }
  }
}

function restartPaths(prev: GatewayConfig, next: GatewayConfig): string[] {
  const paths: string[] = RESTART_SECTIONS.filter((k) => !isDeepStrictEqual(prev[k], next[k]))
  for (const k of RESTART_LIMITS) if (prev.limits[k] !== next.limits[k]) paths.push(`limits.${k}`)
  return paths
}
