/**
 * @module
 * One configured filter at run time: its spec, its compiled module, and the handle that hands
 * its live instance to new streams. Owns the failure log line (filter, callback, request id,
 * abort message and location) and the retirement of instances that stop serving.
 */
import type { Logger } from 'pino'
import type { FailInfo } from '../vm/instance.ts'
import type { CompiledModule } from '../vm/module-cache.ts'
import type { PluginSpec } from '../vm/plugin.ts'
import { PluginHandle, type HandleState } from '../vm/handle.ts'
import { HttpContext } from './http-context.ts'
import { LivePlugin, type RuntimeShared } from './live-plugin.ts'

export class FilterPlugin {
  #spec: PluginSpec
  #compiled: CompiledModule
  readonly #shared: RuntimeShared
  readonly #log: Logger
  readonly #handle: PluginHandle<LivePlugin>
  /** Instances no longer handed out, waiting for their pinned streams to finish. */
  readonly #draining = new Set<LivePlugin>()
  #failures = 0

  /** Starts the first instance (vm_start, configure); throws the WasmgateError that refused it. */
  constructor(spec: PluginSpec, compiled: CompiledModule, shared: RuntimeShared) {
    this.#spec = spec
    this.#compiled = compiled
    this.#shared = shared
    this.#log = shared.logger.child({ filter: spec.name })
    const first = this.#create()
    this.#handle = new PluginHandle(first, () => this.#create(), () => this.#spec.failurePolicy)
  }

  get spec(): PluginSpec {
    return this.#spec
  }

  get compiled(): CompiledModule {
    return this.#compiled
  }

  get state(): HandleState {
    return this.#handle.state
  }

  get current(): LivePlugin | undefined {
    return this.#handle.current
  }

  /** Traps and deadlines since load. */
  get failures(): number {
    return this.#failures
  }

  acquire(): LivePlugin | undefined {
    const before = this.#handle.current
    const live = this.#handle.acquire()
    if (live === undefined && before === undefined) {
      const err = this.#handle.lastError as { code?: string; message?: string } | undefined
      this.#log.debug({ code: err?.code, state: this.#handle.state }, 'filter unavailable')
    } else if (live !== before && live !== undefined) {
      this.#log.info({ sha256: this.#compiled.sha256 }, 'fresh filter instance started')
    }
    return live
  }

  noteSuccess(): void {
    this.#handle.noteSuccess()
  }

  /** A stream unpinned `live`; retire it if it no longer serves and nothing else pins it. */
  release(live: LivePlugin): void {
    if (live.streams === 0 && this.#draining.delete(live)) live.retire()
  }

  /** Hot swap: `next` (already started) serves new streams; the old instance drains. */
  replace(next: LivePlugin, compiled: CompiledModule, spec: PluginSpec): void {
    const old = this.#handle.replace(next)
    this.#compiled = compiled
    this.#spec = spec
    if (old !== undefined) {
      this.#draining.add(old)
      this.release(old)
    }
  }

  /** The filter was unloaded: no instance is handed out any more; each retires when its last stream ends. */
  drain(): void {
    const cur = this.#handle.current
    if (cur === undefined) return
    this.#handle.markFailed(cur, new Error('unloaded'))
    this.#draining.add(cur)
    this.release(cur)
  }

  /** Builds and starts a new instance from this filter's module (a canary for reloads). */
  startInstance(spec: PluginSpec, compiled: CompiledModule): LivePlugin {
    return new LivePlugin(spec, compiled, this.#shared, (live, info) => this.#onFailed(live, info))
  }

  close(): void {
    const cur = this.#handle.current
    if (cur !== undefined) cur.retire()
    for (const live of this.#draining) live.retire()
    this.#draining.clear()
  }

  #create(): LivePlugin {
    return this.startInstance(this.spec, this.#compiled)
  }

  #onFailed(live: LivePlugin, info: FailInfo): void {
    this.#failures++
    // Undefined while the first instance is still starting (a trap in vm_start/configure).
    ;(this.#handle as PluginHandle<LivePlugin> | undefined)?.markFailed(live, info)
    const ctx = live.instance.context
    const code = info.isDeadline ? 'WG_ERR_FILTER_DEADLINE' : 'WG_ERR_FILTER_TRAPPED'
    this.#log.error(
      {
        code,
        callback: info.callback,
        requestId: ctx instanceof HttpContext ? ctx.requestId : undefined,
        abortMessage: info.message,
        location: info.location,
        failurePolicy: this.spec.failurePolicy,
      },
      `filter ${this.spec.name} ${info.isDeadline ? 'ran out of its loop budget' : 'trapped'} in ${info.callback}: ${info.message}${info.location ? ` at ${info.location}` : ''}`,
    )
  }
}
