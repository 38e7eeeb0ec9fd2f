/**
 * @module
 * Hot reload of filters in a running gateway. Every replacement goes through the runtime's
 * prepare (compile, instantiate, vm_start and configure on a canary that serves nothing), and
 * only then commit (new streams get the canary; streams in flight keep the instance they pinned,
 * which retires when its last stream ends). Reloads run one at a time, so two triggers for the
 * same filter (admin, CLI, config file, .wasm file, OCI tag) never race. Each outcome is counted,
 * logged, and kept per filter (generation, last error) for GET /filters.
 */
import type { Logger } from 'pino'
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import { Value } from '@sinclair/typebox/value'
import { WasmgateError, isWasmgateError } from '../errors.ts'
import { formatProblem, pointerToPath } from '../config/load.ts'
import { FilterSchema, type FilterConfig } from '../config/schema.ts'
import { forgetModule, sha256Hex } from '../vm/module-cache.ts'
import type { FilterRuntime, FilterStatus, PreparedFilter } from './runtime.ts'

export type ReloadTrigger = 'admin' | 'config' | 'file' | 'oci'

/** The last refused reload of a filter (cleared by the next success). */
export interface ReloadError {
  readonly code: string
  readonly message: string
  readonly trigger: ReloadTrigger
  readonly at: string
}

/** One row of GET /filters: the runtime's view plus the reload history. */
export interface FilterRow extends FilterStatus {
  /** 1 at first load, +1 per committed replacement. */
  readonly generation: number
  readonly lastError: ReloadError | null
}

export interface ReloadOutcome {
  readonly filter: FilterRow
  /** From PUT to serving: fetch, compile, canary, swap. */
  readonly durationMs: number
}

interface History {
  generation: number
  lastError: ReloadError | null
}

/** A refusal with no HTTP status of its own (OCI, source) still answers 4xx: the input was bad. */
const REFUSAL_STATUS = 422

export class ReloadManager {
  readonly #runtime: FilterRuntime
  readonly #log: Logger
  readonly #configs = new Map<string, FilterConfig>()
  readonly #history = new Map<string, History>()
  readonly #reloads: Counter<string>
  readonly #generation: Gauge<string>
  readonly #duration: Histogram<string>
  #tail: Promise<unknown> = Promise.resolve()
  /** Digests of modules this gateway loaded, to drop cached compiles no filter uses any more. */
  readonly #modules = new Set<string>()

  constructor(runtime: FilterRuntime, filters: readonly FilterConfig[], logger: Logger, registry: Registry) {
    this.#runtime = runtime
    this.#log = logger.child({ component: 'reload' })
    this.#reloads = new Counter({
      name: 'wasmgate_filter_reloads_total',
      help: 'Filter loads and replacements by filter, trigger, result (ok or refused) and error code',
      labelNames: ['filter', 'trigger', 'result', 'code'],
      registers: [registry],
    })
    this.#generation = new Gauge({ name: 'wasmgate_filter_generation', help: 'Generation of the instance new requests get, per filter', labelNames: ['filter'], registers: [registry] })
    this.#duration = new Histogram({
      name: 'wasmgate_filter_reload_duration_seconds',
      help: 'Time from a reload request to the new filter serving (fetch, compile, canary, swap)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    })
    for (const row of runtime.list?.() ?? []) this.#modules.add(row.sha256)
    for (const f of filters) {
      this.#configs.set(f.name, f)
      this.#history.set(f.name, { generation: 1, lastError: null })
      this.#generation.labels(f.name).set(1)
    }
  }

  /** The definition a filter was last loaded with. */
  configOf(name: string): FilterConfig | undefined {
    return this.#configs.get(name)
  }

  names(): string[] {
    return [...this.#configs.keys()]
  }

  list(): FilterRow[] {
    return (this.#runtime.list?.() ?? []).map((s) => this.#row(s))
  }

  get(name: string): FilterRow | undefined {
    return this.list().find((r) => r.name === name)
  }

  /**
   * Loads or replaces one filter: `input` is a full filter definition (validated here with the
   * config schema, errors as `path: problem`); `bytes`, when given, is the module itself.
   */
  load(input: unknown, trigger: ReloadTrigger, bytes?: Uint8Array): Promise<ReloadOutcome> {
    return this.exclusive(async () => {
      const startMs = performance.now()
      const name = typeof (input as { name?: unknown })?.name === 'string' ? (input as { name: string }).name : '?'
      let prepared: PreparedFilter
      let config: FilterConfig
      try {
        config = validateFilter(input)
        prepared = await this.#prepare(config, bytes)
      } catch (err) {
        // A module that compiled but failed its canary stays in the compile cache otherwise.
        if (bytes !== undefined) this.#forgetUnused(sha256Hex(bytes))
        throw this.#refused(name, trigger, err)
      }
      const filter = this.commit(config, prepared, trigger)
      const durationMs = performance.now() - startMs
      this.#duration.observe(durationMs / 1000)
      return { filter, durationMs }
    })
  }

  /** Runs `fn` after every reload queued before it, and before any queued after it. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(fn, fn)
    this.#tail = run.catch(() => undefined)
    return run
  }

  /** Starts a canary for `config` (inside exclusive()); a failure is recorded as a refusal and rethrown. */
  async prepare(config: FilterConfig, trigger: ReloadTrigger): Promise<PreparedFilter> {
    try {
      return await this.#prepare(config)
    } catch (err) {
      throw this.#refused(config.name, trigger, err)
    }
  }

  /** Swaps a prepared canary in; new streams get it from now on. */
  commit(config: FilterConfig, prepared: PreparedFilter, trigger: ReloadTrigger): FilterRow {
    const status = prepared.commit()
    this.#modules.add(prepared.sha256)
    this.#forgetUnused()
    const h = this.#history.get(config.name)
    const generation = h === undefined ? 1 : h.generation + 1
    this.#history.set(config.name, { generation, lastError: null })
    this.#configs.set(config.name, config)
    this.#generation.labels(config.name).set(generation)
    this.#reloads.labels(config.name, trigger, 'ok', '').inc()
    this.#log.info({ filter: config.name, trigger, generation, sha256: prepared.sha256, abiVersion: prepared.abiVersion }, `filter ${config.name} ${prepared.isReplacement ? 'replaced' : 'added'} (generation ${generation}, ${trigger})`)
    return this.#row(status)
  }

  /** Drops a canary that will not be committed (a refused config reload). */
  discard(prepared: PreparedFilter): void {
    prepared.discard()
    this.#forgetUnused(prepared.sha256)
  }

  /** A filter no route uses any more: it stops serving new streams and retires once drained. */
  unload(name: string, trigger: ReloadTrigger): void {
    this.#runtime.unload?.(name)
    this.#configs.delete(name)
    this.#history.delete(name)
    this.#generation.remove(name)
    this.#forgetUnused()
    this.#log.info({ filter: name, trigger }, `filter ${name} removed`)
  }

  #forgetUnused(extra?: string): void {
    if (extra !== undefined) this.#modules.add(extra)
    const inUse = new Set((this.#runtime.list?.() ?? []).map((r) => r.sha256))
    for (const sha256 of this.#modules) {
      if (inUse.has(sha256)) continue
      this.#modules.delete(sha256)
      forgetModule(sha256)
    }
  }

  async #prepare(config: FilterConfig, bytes?: Uint8Array): Promise<PreparedFilter> {
    const prepare = this.#runtime.prepare
    if (prepare === undefined) throw new WasmgateError('WG_ERR_ADMIN_BAD_REQUEST', ['this filter runtime cannot hot-load filters'])
    return prepare(config, bytes)
  }

  #refused(name: string, trigger: ReloadTrigger, err: unknown): WasmgateError {
    const wg = isWasmgateError(err)
      ? err
      : new WasmgateError('WG_ERR_ADMIN_INTERNAL', [(err as Error)?.message ?? String(err)], { cause: err })
    const h = this.#history.get(name)
    if (h !== undefined) h.lastError = { code: wg.code, message: wg.message, trigger, at: new Date().toISOString() }
    this.#reloads.labels(name, trigger, 'refused', wg.code).inc()
    this.#log.warn({ filter: name, trigger, code: wg.code, err: wg.message }, `reload of filter ${name} refused (${wg.code}); the running filter keeps serving`)
    return wg
  }

  #row(s: FilterStatus): FilterRow {
    const h = this.#history.get(s.name)
    return { ...s, generation: h?.generation ?? 1, lastError: h?.lastError ?? null }
  }
}

/** The HTTP status a refusal answers with: 4xx for every bad input, also codes with no status of their own (OCI). */
export function refusalStatus(err: WasmgateError): number {
  if (err.httpStatus !== undefined && err.httpStatus >= 400 && err.httpStatus < 500) return err.httpStatus
  if (err.code === 'WG_ERR_ADMIN_INTERNAL' || err.code === 'WG_ERR_ABI_HOSTCALL') return 500
  return REFUSAL_STATUS
}

/** A filter definition from an admin request or a CLI, checked like the config file's filters. */
export function validateFilter(input: unknown): FilterConfig {
  const candidate = Value.Default(FilterSchema, structuredClone(input ?? {})) as FilterConfig
  const problems = [...Value.Errors(FilterSchema, candidate)].map((e) => formatProblem({ path: pointerToPath(e.path), problem: e.message.charAt(0).toLowerCase() + e.message.slice(1), value: e.value }))
  if (candidate.source?.startsWith('https://') && candidate.sha256 === undefined) problems.push('sha256: is required for an https:// source (got nothing)')
  if (candidate.source?.startsWith('http://')) problems.push(`source: plain http sources are refused (got ${JSON.stringify(candidate.source)})`)
  if (problems.length > 0) throw new WasmgateError('WG_ERR_CONFIG_INVALID', [`\n  ${problems.join('\n  ')}`], { details: problems })
  return candidate
}
