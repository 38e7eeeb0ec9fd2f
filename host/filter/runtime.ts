/**
 * @module
 * The filter runtime of one gateway: loads every configured filter (source → compile once per
 * sha256 → instantiate → vm_start → configure), hands out a FilterChain per route, lists filters
 * for the admin API, and hot-swaps a filter after a canary instance started and configured.
 */
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import { WasmgateError } from '../errors.ts'
import type { FilterConfig } from '../config/schema.ts'
import { compileModule, type CompiledModule } from '../vm/module-cache.ts'
import { loadModuleSource } from '../vm/module-source.ts'
import type { PluginSpec } from '../vm/plugin.ts'
import { SharedDataStore } from '../store/shared-data.ts'
import { SharedQueueStore } from '../store/shared-queue.ts'
import { FilterChainImpl } from './chain.ts'
import type { FilterChain, HttpCallDispatcher } from './contract.ts'
import { FilterMetrics } from './filter-metrics.ts'
import { FilterPlugin } from './filter-plugin.ts'
import { createFilterCounters } from './filter-counters.ts'
import type { RuntimeShared } from './live-plugin.ts'

export interface FilterRuntimeDeps {
  readonly logger: Logger
  readonly metrics: Registry
  readonly httpCalls: HttpCallDispatcher
  /** Directory relative filter sources are resolved against (the config file's directory). */
  readonly baseDir: string
  /** limits.maxBufferedBodyBytes of the gateway config (default 1 MiB). */
  readonly limits?: { readonly maxBufferedBodyBytes: number }
  /** Loop iterations per guest callback (default abi/limits.ts DEFAULT_CALLBACK_BUDGET). */
  readonly budgetIterations?: number
  /** The shared-data store; wasmgate/testing passes its own to let tests read it. */
  readonly sharedData?: SharedDataStore
}

/** One row of GET /filters. */
export interface FilterStatus {
  readonly name: string
  readonly rootId: string
  readonly vmId: string
  readonly source: string
  readonly sha256: string
  readonly abiVersion: string
  readonly loadedAt: string
  readonly state: string
  readonly failurePolicy: string
  readonly failures: number
}

export interface FilterRuntime {
  /** The chain for a route's filter names; cached, cheap to call per route at startup. */
  chainFor(filterNames: readonly string[]): FilterChain
  /** Every loaded filter, for the admin API. */
  list?(): FilterStatus[]
  /** Loads a new module/config for a filter (canary first); the old one keeps serving on refusal. */
  reload?(config: FilterConfig, bytes?: Uint8Array): Promise<FilterStatus>
  /** Compiles and starts `config` on a canary that serves nothing until commit() (adds the filter if new). */
  prepare?(config: FilterConfig, bytes?: Uint8Array): Promise<PreparedFilter>
  /** Drops a filter no route uses any more; its instances retire when their last stream ends. */
  unload?(name: string): void
  /** Test seam (wasmgate/testing): one on_tick of the filter's current instance now; see RootContext. */
  tickForTesting?(name: string): boolean
  close(): Promise<void>
}

/** A started canary (hot reload): commit() swaps it in for new streams, discard() drops it. */
export interface PreparedFilter {
  readonly sha256: string
  readonly abiVersion: string
  readonly sizeBytes: number
  /** Whether a filter of this name is loaded now (false: commit adds it). */
  readonly isReplacement: boolean
  commit(): FilterStatus
  discard(): void
}

const DEFAULT_MAX_BUFFERED_BODY_BYTES = 1024 * 1024

export function configBytes(value: unknown): Uint8Array {
  if (value === undefined || value === null) return new Uint8Array(0)
  if (typeof value === 'string') return Buffer.from(value, 'utf8')
  if (value instanceof Uint8Array) return value
  return Buffer.from(JSON.stringify(value), 'utf8')
}

export function pluginSpec(config: FilterConfig): PluginSpec {
  return {
    name: config.name,
    rootId: config.rootId ?? config.name,
    vmId: config.vmId ?? '',
    configuration: configBytes(config.config),
    vmConfiguration: configBytes(config.vmConfig),
    failurePolicy: config.failurePolicy ?? 'closed',
    environ: Object.entries(config.env ?? {}).map(([k, v]) => `${k}=${v}`),
  }
}

interface Loaded {
  plugin: FilterPlugin
  config: FilterConfig
  source: string
}

export async function createFilterRuntime(filters: readonly FilterConfig[], deps: FilterRuntimeDeps): Promise<FilterRuntime> {
  const shared: RuntimeShared = {
    logger: deps.logger,
    metrics: new FilterMetrics(deps.metrics),
    sharedData: deps.sharedData ?? new SharedDataStore(),
    queues: new SharedQueueStore(),
    httpCalls: deps.httpCalls,
    maxBufferedBodyBytes: deps.limits?.maxBufferedBodyBytes ?? DEFAULT_MAX_BUFFERED_BODY_BYTES,
    budgetIterations: deps.budgetIterations,
    counters: createFilterCounters(deps.metrics),
  }
  const loaded = new Map<string, Loaded>()
  const chains = new Map<string, FilterChainImpl>()

  async function compile(config: FilterConfig, bytes?: Uint8Array): Promise<{ compiled: CompiledModule; source: string }> {
    if (bytes !== undefined) return { compiled: await compileModule(bytes), source: config.source }
    const src = await loadModuleSource(config.source, { baseDir: deps.baseDir, sha256: config.sha256, pullPolicy: config.pullPolicy })
    return { compiled: await compileModule(src.bytes), source: src.resolved }
  }

  try {
    for (const config of filters) {
      if (loaded.has(config.name)) throw new WasmgateError('WG_ERR_CONFIG_REFERENCE', [`filters: duplicate filter name ${config.name}`])
      const { compiled, source } = await compile(config)
      const plugin = new FilterPlugin(pluginSpec(config), compiled, shared)
      loaded.set(config.name, { plugin, config, source })
      deps.logger.info({ filter: config.name, sha256: compiled.sha256, abiVersion: compiled.abiVersion }, 'filter loaded')
    }
  } catch (err) {
    for (const l of loaded.values()) l.plugin.close()
    throw err
  }

  function status(l: Loaded): FilterStatus {
    const c = l.plugin.compiled
    return {
      name: l.plugin.spec.name,
      rootId: l.plugin.spec.rootId,
      vmId: l.plugin.spec.vmId,
      source: l.source,
      sha256: c.sha256,
      abiVersion: c.abiVersion,
      loadedAt: (l.plugin.current?.loadedAt ?? new Date()).toISOString(),
      state: l.plugin.state,
      failurePolicy: l.plugin.spec.failurePolicy,
      failures: l.plugin.failures,
    }
  }

  return {
    chainFor(names) {
      const key = names.join('\0')
      let chain = chains.get(key)
      if (chain === undefined) {
        const plugins = names.map((n) => {
          const l = loaded.get(n)
          if (l === undefined) throw new WasmgateError('WG_ERR_FILTER_NOT_FOUND', [n])
          return l.plugin
        })
        chain = new FilterChainImpl(plugins, shared.maxBufferedBodyBytes)
        chains.set(key, chain)
      }
      return chain
    },
    list() {
      return [...loaded.values()].map(status)
    },
    async reload(config, bytes) {
      if (!loaded.has(config.name)) throw new WasmgateError('WG_ERR_FILTER_NOT_FOUND', [config.name])
      return (await prepare(config, bytes)).commit()
    },
    prepare,
    unload(name) {
      const l = loaded.get(name)
      if (l === undefined) return
      loaded.delete(name)
      for (const key of [...chains.keys()]) if (key.split('\0').includes(name)) chains.delete(key)
      l.plugin.drain()
      deps.logger.info({ filter: name }, 'filter unloaded')
    },
    tickForTesting(name) {
      return loaded.get(name)?.plugin.current?.root.tickForTesting() ?? false
    },
    async close() {
      for (const l of loaded.values()) l.plugin.close()
    },
  }

  async function prepare(config: FilterConfig, bytes?: Uint8Array): Promise<PreparedFilter> {
    const { compiled, source } = await compile(config, bytes)
    const spec = pluginSpec(config)
    const existing = loaded.get(config.name)
    // Canary: a fresh instance must start and configure before it replaces the running one.
    const next = existing === undefined ? new FilterPlugin(spec, compiled, shared) : existing.plugin.startInstance(spec, compiled)
    let settled = false
    return {
      sha256: compiled.sha256,
      abiVersion: compiled.abiVersion,
      sizeBytes: compiled.sizeBytes,
      isReplacement: existing !== undefined,
      commit() {
        if (settled) throw new Error('prepared filter already settled')
        settled = true
        const l = loaded.get(config.name)
        if (next instanceof FilterPlugin) {
          if (l !== undefined) l.plugin.drain() // added meanwhile by someone else: ours wins
          for (const key of [...chains.keys()]) if (key.split('\0').includes(config.name)) chains.delete(key)
          const added: Loaded = { plugin: next, config, source }
          loaded.set(config.name, added)
          deps.logger.info({ filter: config.name, sha256: compiled.sha256 }, 'filter added')
          return status(added)
        }
        if (l === undefined || l.plugin !== existing?.plugin) {
          next.retire()
          throw new WasmgateError('WG_ERR_FILTER_NOT_FOUND', [config.name])
        }
        l.plugin.replace(next, compiled, spec)
        ;(l as { config: FilterConfig }).config = config
        l.source = source
        deps.logger.info({ filter: config.name, sha256: compiled.sha256 }, 'filter reloaded')
        return status(l)
      },
      discard() {
        if (settled) return
        settled = true
        if (next instanceof FilterPlugin) next.close()
        else next.retire()
      },
    }
  }
}
