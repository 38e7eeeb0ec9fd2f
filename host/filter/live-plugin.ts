/**
 * @module
 * One started plugin: a VM instance, its root context, and the services its hostcalls reach
 * (logging, metrics, shared data and queues, callouts). Also the queue of actions deferred
 * until the current guest call returns (Envoy addAfterVmCallAction).
 */
import type { Logger } from 'pino'
import type { AbiContext, SharedValue } from '../abi/abi-host.ts'
import { LogLevel, Status } from '../abi/constants.ts'
import type { SharedDataStore } from '../store/shared-data.ts'
import type { SharedQueueStore } from '../store/shared-queue.ts'
import { VmInstance, type FailInfo, type InstanceServices } from '../vm/instance.ts'
import type { CompiledModule } from '../vm/module-cache.ts'
import { startPlugin, type PluginSpec } from '../vm/plugin.ts'
import type { HttpCallDispatcher } from './contract.ts'
import type { FilterMetrics } from './filter-metrics.ts'
import { RootContext } from './root-context.ts'
import { callForeignFunction } from './foreign-functions.ts'

/** Per-gateway state every plugin shares. */
export interface RuntimeShared {
  readonly logger: Logger
  readonly metrics: FilterMetrics
  readonly sharedData: SharedDataStore
  readonly queues: SharedQueueStore
  readonly httpCalls: HttpCallDispatcher
  readonly maxBufferedBodyBytes: number
  readonly budgetIterations?: number | undefined
  /** Host counters about filters (guest misuse, failures); optional for embedders. */
  readonly counters?: FilterCounters | undefined
}

export interface FilterCounters {
  hostcallMisused(filter: string, hostcall: string, status: number): void
  failed(filter: string, kind: 'trap' | 'deadline'): void
}

/** Something with actions to apply once the guest call returns. */
export interface Deferred {
  applyDeferred(): void
}

type GuestFn = (...args: number[]) => unknown

/** The callbacks a module exports, looked up once per instance; undefined ones are never called. */
export interface Callbacks {
  readonly onContextCreate: GuestFn | undefined
  readonly onRequestHeaders: GuestFn | undefined
  readonly onRequestBody: GuestFn | undefined
  readonly onRequestTrailers: GuestFn | undefined
  readonly onResponseHeaders: GuestFn | undefined
  readonly onResponseBody: GuestFn | undefined
  readonly onResponseTrailers: GuestFn | undefined
  readonly onDone: GuestFn | undefined
  readonly onLog: GuestFn | undefined
  readonly onDelete: GuestFn | undefined
  readonly onTick: GuestFn | undefined
  readonly onHttpCallResponse: GuestFn | undefined
  readonly onQueueReady: GuestFn | undefined
}

const PINO_LEVEL = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const
const FROM_PINO: Record<string, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4, fatal: 5, silent: 5 }

/** A stream told when the instance fails while it waits on it (filter/chain.ts). */
interface FailureListener {
  instanceFailed(live: LivePlugin): void
}

/** Stream contexts (filter/http-context.ts) answer with their stream while it waits on them. */
interface WaitingContext {
  waitingStream?(): FailureListener | undefined
}

export class LivePlugin implements InstanceServices {
  readonly spec: PluginSpec
  readonly shared: RuntimeShared
  readonly instance: VmInstance
  readonly root: RootContext
  readonly callbacks: Callbacks
  readonly environ: readonly string[]
  readonly budgetIterations: number | undefined
  readonly loadedAt = new Date()
  /** Streams pinned to this instance. */
  streams = 0
  readonly #log: Logger
  /** Guest lines: bindings serialized once by pino, not merged from an object on every line. */
  readonly #guestLog: Logger
  readonly #onFailed: (live: LivePlugin, info: FailInfo) => void
  #deferred: Deferred[] = []

  /** Instantiates and starts (vm_start, configure). Throws WG_ERR_VM_* / WG_ERR_FILTER_*. */
  constructor(spec: PluginSpec, compiled: CompiledModule, shared: RuntimeShared, onFailed: (live: LivePlugin, info: FailInfo) => void) {
    this.spec = spec
    this.shared = shared
    this.environ = spec.environ
    this.budgetIterations = shared.budgetIterations
    this.#log = shared.logger.child({ filter: spec.name })
    this.#guestLog = this.#log.child({ source: 'guest' })
    this.#onFailed = onFailed
    this.instance = new VmInstance(compiled, this, spec.name)
    const i = this.instance
    this.callbacks = {
      onContextCreate: i.fn('proxy_on_context_create'),
      onRequestHeaders: i.fn('proxy_on_request_headers'),
      onRequestBody: i.fn('proxy_on_request_body'),
      onRequestTrailers: i.fn('proxy_on_request_trailers'),
      onResponseHeaders: i.fn('proxy_on_response_headers'),
      onResponseBody: i.fn('proxy_on_response_body'),
      onResponseTrailers: i.fn('proxy_on_response_trailers'),
      onDone: i.fn('proxy_on_done'),
      onLog: i.fn('proxy_on_log'),
      onDelete: i.fn('proxy_on_delete'),
      onTick: i.fn('proxy_on_tick'),
      onHttpCallResponse: i.fn('proxy_on_http_call_response'),
      onQueueReady: i.fn('proxy_on_queue_ready'),
    }
    this.root = new RootContext(this, i.newContextId())
    try {
      startPlugin(i, this.root, spec)
    } catch (err) {
      this.root.shutdown()
      throw err
    }
  }

  defer(target: Deferred): void {
    this.#deferred.push(target)
  }

  /** Applies deferred actions; call after a top-level guest call and its result were handled. */
  flush(): void {
    while (this.#deferred.length > 0) {
      const batch = this.#deferred
      this.#deferred = []
      for (const t of batch) t.applyDeferred()
    }
  }

  /** Stop serving: timers, callouts and queue delivery end; root on_done/on_delete when healthy. */
  retire(): void {
    if (this.root.phase === 'done' || this.#isPendingDone) return
    const i = this.instance
    const done = this.callbacks.onDone
    if (i.failed === undefined && done !== undefined) {
      const r = i.call('proxy_on_done', done, this.root, this.root.id)
      // false: the root context still works (e.g. flushing through a callout) and will call
      // proxy_done; until then its timers and callouts go on (cpp-host pending_done_).
      if (r === 0) {
        this.#isPendingDone = true
        return
      }
    }
    this.#finishDone()
  }

  #isPendingDone = false

  #finishDone(): void {
    this.#isPendingDone = false
    const i = this.instance
    const del = this.callbacks.onDelete
    if (i.failed === undefined && del !== undefined) i.call('proxy_on_delete', del, this.root, this.root.id)
    this.root.phase = 'done'
    this.root.shutdown()
  }

  // InstanceServices
  isLogEnabled(level: number): boolean {
    return this.#guestLog.isLevelEnabled(PINO_LEVEL[level] ?? 'info')
  }
  log(level: number, message: string): void {
    const l = PINO_LEVEL[level] ?? 'info'
    if (this.#guestLog.isLevelEnabled(l)) this.#guestLog[l](message)
  }
  logLevel(): number {
    return FROM_PINO[this.#log.level] ?? LogLevel.Info
  }
  writeStdio(fd: number, text: string): void {
    this.log(fd === 2 ? LogLevel.Error : LogLevel.Info, text)
  }
  done(_instance: VmInstance, ctx: AbiContext | undefined): Status {
    // Stream contexts are deleted whatever on_done returned (cpp-host); only a root context can be pending.
    if (ctx !== this.root || !this.#isPendingDone) return Status.NotFound
    // on_delete follows after the current guest call (cpp-host finishShutdown), never inside it.
    setImmediate(() => this.#finishDone())
    return Status.Ok
  }
  setTickPeriod(_ctx: AbiContext, periodMs: number): Status {
    return this.root.setTickPeriod(periodMs)
  }
  httpCall(_ctx: AbiContext, upstream: string, headers: string[], body: Uint8Array, trailers: string[], timeoutMs: number): number {
    return this.root.httpCall(upstream, headers, body, trailers, timeoutMs)
  }
  calloutStatus(): { readonly code: number; readonly message: string } {
    return this.root.calloutStatus()
  }
  getSharedData(key: string): SharedValue | undefined {
    return this.shared.sharedData.get(this.spec.vmId, key)
  }
  setSharedData(key: string, value: Uint8Array, cas: number): Status {
    return this.shared.sharedData.set(this.spec.vmId, key, value, cas)
  }
  registerSharedQueue(_ctx: AbiContext, name: string): number {
    return this.shared.queues.register(this.spec.vmId, name, this.root.queueListener)
  }
  resolveSharedQueue(vmId: string, name: string): number | undefined {
    return this.shared.queues.resolve(vmId === '' ? this.spec.vmId : vmId, name)
  }
  enqueueSharedQueue(token: number, value: Uint8Array): Status {
    return this.shared.queues.enqueue(token, value)
  }
  dequeueSharedQueue(token: number): Uint8Array | Status {
    return this.shared.queues.dequeue(token)
  }
  defineMetric(type: number, name: string): number {
    return this.shared.metrics.define(type, name)
  }
  incrementMetric(id: number, delta: bigint): Status {
    return this.shared.metrics.increment(id, delta)
  }
  recordMetric(id: number, value: bigint): Status {
    return this.shared.metrics.record(id, value)
  }
  getMetric(id: number): bigint | Status {
    return this.shared.metrics.get(id)
  }
  callForeignFunction(name: string, args: Uint8Array): Uint8Array | Status {
    return callForeignFunction(name, args, this.instance.context)
  }
  hostcallMisused(name: string, status: number): void {
    this.shared.counters?.hostcallMisused(this.spec.name, name, status)
  }
  hostcallFailed(name: string, error: unknown): void {
    this.#log.error({ code: 'WG_ERR_ABI_HOSTCALL', hostcall: name, err: error }, `hostcall ${name} failed in the host`)
  }
  onFailed(_instance: VmInstance, info: FailInfo): void {
    this.shared.counters?.failed(this.spec.name, info.isDeadline ? 'deadline' : 'trap')
    this.root.shutdown()
    this.#onFailed(this, info)
    // Not on the failing guest call's stack: the stream that trapped handles its own callback.
    // Streams waiting on this instance are found through its contexts (no per-request set to
    // keep: see vm/id-table.ts for what per-request hash-table churn costs).
    setImmediate(() => {
      const waiting = new Set<FailureListener>()
      for (const ctx of this.instance.contexts() as WaitingContext[]) {
        const stream = ctx.waitingStream?.()
        if (stream !== undefined) waiting.add(stream)
      }
      for (const s of waiting) s.instanceFailed(this)
    })
  }
}
