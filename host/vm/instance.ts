/**
 * @module
 * One instantiated module: its memory, its contexts, and the one current-context slot every
 * hostcall reads (set in try/finally around each guest call, like undici's currentParser and
 * cpp-host's current_context_). A trap marks the instance failed for good (cpp-host FailState
 * RuntimeError): every later call returns TRAPPED without entering the guest.
 */
import { WasmgateError } from '../errors.ts'
import type { AbiContext, AbiHost, SharedValue } from '../abi/abi-host.ts'
import { LogLevel, Status, type AbiVersion } from '../abi/constants.ts'
import { GuestTrap } from '../abi/guest-trap.ts'
import { buildImports } from '../abi/index.ts'
import { GuestMemory } from '../abi/memory.ts'
import { DEFAULT_CALLBACK_BUDGET } from '../abi/limits.ts'
import type { CompiledModule } from './module-cache.ts'
import { budgetGlobalOf, isBudgetExhausted, type BudgetGlobal } from './metering.ts'
import { IdTable } from './id-table.ts'

/** Returned by call() when the guest trapped or the instance had already failed; outside i32. */
export const TRAPPED = -0x80000001

export interface FailInfo {
  readonly callback: string
  readonly message: string
  /** file:line:column from an AssemblyScript abort, when known. */
  readonly location: string | undefined
  /** The loop budget ran out (WG_ERR_FILTER_DEADLINE) rather than a plain trap. */
  readonly isDeadline: boolean
}

/** What an instance needs from its plugin and gateway (implemented by filter/plugin-services.ts). */
export interface InstanceServices {
  readonly environ: readonly string[]
  readonly budgetIterations?: number | undefined
  isLogEnabled(level: number): boolean
  log(level: number, message: string): void
  logLevel(): number
  writeStdio(fd: number, text: string): void
  done(instance: VmInstance, ctx: AbiContext | undefined): Status
  setTickPeriod(ctx: AbiContext, periodMs: number): Status
  httpCall(ctx: AbiContext, upstream: string, headers: string[], body: Uint8Array, trailers: string[], timeoutMs: number): number
  calloutStatus(ctx: AbiContext): { readonly code: number; readonly message: string }
  getSharedData(key: string): SharedValue | undefined
  setSharedData(key: string, value: Uint8Array, cas: number): Status
  registerSharedQueue(ctx: AbiContext, name: string): number
  resolveSharedQueue(vmId: string, name: string): number | undefined
  enqueueSharedQueue(token: number, value: Uint8Array): Status
  dequeueSharedQueue(token: number): Uint8Array | Status
  defineMetric(type: number, name: string): number
  incrementMetric(id: number, delta: bigint): Status
  recordMetric(id: number, value: bigint): Status
  getMetric(id: number): bigint | Status
  callForeignFunction(name: string, args: Uint8Array): Uint8Array | Status
  hostcallFailed(name: string, error: unknown): void
  hostcallMisused(name: string, status: number): void
  onFailed(instance: VmInstance, info: FailInfo): void
}

type GuestFn = (...args: number[]) => unknown

export class VmInstance implements AbiHost {
  readonly version: AbiVersion
  readonly memory = new GuestMemory()
  readonly compiled: CompiledModule
  context: AbiContext | undefined = undefined
  restricted = true
  readonly #services: InstanceServices
  readonly #exports: WebAssembly.Exports
  readonly #malloc: GuestFn
  readonly #budget: BudgetGlobal | undefined
  readonly #budgetIterations: number
  readonly #contexts = new IdTable<AbiContext>()
  #nextContextId = 1
  #depth = 0
  #failed: FailInfo | undefined = undefined
  #lastCritical: string | undefined = undefined

  /** Instantiates and runs _initialize(+main) or _start. Throws WG_ERR_VM_INSTANTIATE / WG_ERR_WASM_UNKNOWN_IMPORT. */
  constructor(compiled: CompiledModule, services: InstanceServices, filterName: string) {
    this.compiled = compiled
    this.version = compiled.abiVersion
    this.#services = services
    this.#budgetIterations = services.budgetIterations ?? DEFAULT_CALLBACK_BUDGET
    let instance: WebAssembly.Instance
    try {
      // The start section (AssemblyScript without wasi-shim) runs inside this constructor, restricted.
      instance = new WebAssembly.Instance(compiled.module, buildImports(this))
    } catch (err) {
      if (err instanceof WebAssembly.LinkError) throw new WasmgateError('WG_ERR_WASM_UNKNOWN_IMPORT', [(err as Error).message], { cause: err })
      throw new WasmgateError('WG_ERR_VM_INSTANTIATE', [filterName, describe(err)], { cause: err })
    }
    this.#exports = instance.exports
    this.#malloc = this.#exports[compiled.allocator] as GuestFn
    this.#budget = compiled.budgetGlobal === undefined ? undefined : budgetGlobalOf(this.#exports, compiled.budgetGlobal)
    this.memory.bind(this.#exports.memory as WebAssembly.Memory, (size) => this.#allocate(size))
    const init = this.fn('_initialize')
    let r: number
    if (init !== undefined) {
      r = this.call('_initialize', init, undefined)
      const main = this.fn('main') ?? this.fn('__main_void')
      if (r !== TRAPPED && main !== undefined) r = this.call(this.fn('main') ? 'main' : '__main_void', main, undefined, 0, 0)
    } else {
      const start = this.fn('_start')
      r = start === undefined ? 0 : this.call('_start', start, undefined)
    }
    if (r === TRAPPED) {
      const f = this.#failed as FailInfo
      throw new WasmgateError('WG_ERR_VM_INSTANTIATE', [filterName, `${f.callback}: ${f.message}${f.location ? ` at ${f.location}` : ''}`])
    }
    this.restricted = false
  }

  /** An exported function, or undefined: callbacks a module does not export are never called. */
  fn(name: string): GuestFn | undefined {
    const f = this.#exports[name]
    return typeof f === 'function' ? (f as GuestFn) : undefined
  }

  get failed(): FailInfo | undefined {
    return this.#failed
  }

  get inGuestCall(): boolean {
    return this.#depth > 0
  }

  /**
   * Calls a guest export with `ctx` as the current context. Returns the i32 result (0 for void),
   * or TRAPPED. The budget is reset only for top-level calls; nested calls share it.
   */
  call(name: string, fn: GuestFn, ctx: AbiContext | undefined, a = 0, b = 0, c = 0, d = 0, e = 0): number {
    if (this.#failed !== undefined) return TRAPPED
    const prev = this.context
    this.context = ctx
    if (this.#depth === 0 && this.#budget !== undefined) this.#budget.value = this.#budgetIterations
    this.#depth++
    try {
      const r = fn(a, b, c, d, e)
      return typeof r === 'number' ? r : 0
    } catch (err) {
      this.#fail(name, err)
      return TRAPPED
    } finally {
      this.#depth--
      this.context = prev
    }
  }

  /** Marks the instance failed from outside (e.g. the guest broke the protocol). */
  fail(callback: string, message: string): void {
    if (this.#failed !== undefined) return
    this.#failed = { callback, message, location: undefined, isDeadline: false }
    this.#services.onFailed(this, this.#failed)
  }

  #fail(callback: string, err: unknown): void {
    if (this.#failed !== undefined) return
    const isDeadline = this.#budget !== undefined && isBudgetExhausted(this.#exports, this.compiled.budgetGlobal)
    let message = describe(err)
    if (err instanceof GuestTrap && message.startsWith('proc_exit') && this.#lastCritical !== undefined) {
      message = `${this.#lastCritical} (${message})`
    }
    this.#failed = { callback, message, location: err instanceof GuestTrap ? err.location : undefined, isDeadline }
    try {
      this.#services.onFailed(this, this.#failed)
    } catch (hostErr) {
      this.#services.hostcallFailed('onFailed', hostErr)
    }
  }

  #allocate(size: number): number {
    const fn = this.#malloc
    const wasRestricted = this.restricted
    const prev = this.context
    this.restricted = true
    this.#depth++
    try {
      // A trap here propagates through the hostcall (a guest failure) and fails the outer call.
      return (fn(size) as number) >>> 0
    } finally {
      this.#depth--
      this.context = prev
      this.restricted = wasRestricted
    }
  }

  // Contexts (ids from 1, never reused: cpp-host allocContextId).
  newContextId(): number {
    return this.#nextContextId++
  }

  addContext(ctx: AbiContext): void {
    this.#contexts.set(ctx)
  }

  removeContext(id: number): void {
    this.#contexts.delete(id)
  }

  getContext(id: number): AbiContext | undefined {
    return this.#contexts.get(id)
  }

  /** The live contexts (a copy). */
  contexts(): AbiContext[] {
    return this.#contexts.values()
  }

  // AbiHost: the parts the instance owns.
  setEffectiveContext(contextId: number): Status {
    const ctx = this.#contexts.get(contextId)
    if (ctx === undefined) return Status.BadArgument
    // Stays in effect until the current callback returns (call() restores the slot).
    this.context = ctx
    return Status.Ok
  }

  done(): Status {
    return this.#services.done(this, this.context)
  }

  // AbiHost: delegated to the plugin's services.
  get environ(): readonly string[] {
    return this.#services.environ
  }
  isLogEnabled(level: number): boolean {
    return level === LogLevel.Critical || this.#services.isLogEnabled(level)
  }
  log(level: number, message: string): void {
    if (level === LogLevel.Critical) this.#lastCritical = message
    this.#services.log(level, message)
  }
  logLevel(): number {
    return this.#services.logLevel()
  }
  writeStdio(fd: number, text: string): void {
    this.#services.writeStdio(fd, text)
  }
  setTickPeriod(periodMs: number): Status {
    const ctx = this.context
    return ctx === undefined ? Status.InternalFailure : this.#services.setTickPeriod(ctx, periodMs)
  }
  httpCall(upstream: string, headers: string[], body: Uint8Array, trailers: string[], timeoutMs: number): number {
    const ctx = this.context
    return ctx === undefined ? -Status.InternalFailure : this.#services.httpCall(ctx, upstream, headers, body, trailers, timeoutMs)
  }
  calloutStatus(): { readonly code: number; readonly message: string } {
    const ctx = this.context
    return ctx === undefined ? { code: 0, message: '' } : this.#services.calloutStatus(ctx)
  }
  getSharedData(key: string): SharedValue | undefined {
    return this.#services.getSharedData(key)
  }
  setSharedData(key: string, value: Uint8Array, cas: number): Status {
    return this.#services.setSharedData(key, value, cas)
  }
  registerSharedQueue(name: string): number {
    const ctx = this.context
    return ctx === undefined ? -Status.InternalFailure : this.#services.registerSharedQueue(ctx, name)
  }
  resolveSharedQueue(vmId: string, name: string): number | undefined {
    return this.#services.resolveSharedQueue(vmId, name)
  }
  enqueueSharedQueue(token: number, value: Uint8Array): Status {
    return this.#services.enqueueSharedQueue(token, value)
  }
  dequeueSharedQueue(token: number): Uint8Array | Status {
    return this.#services.dequeueSharedQueue(token)
  }
  defineMetric(type: number, name: string): number {
    return this.#services.defineMetric(type, name)
  }
  incrementMetric(id: number, delta: bigint): Status {
    return this.#services.incrementMetric(id, delta)
  }
  recordMetric(id: number, value: bigint): Status {
    return this.#services.recordMetric(id, value)
  }
  getMetric(id: number): bigint | Status {
    return this.#services.getMetric(id)
  }
  callForeignFunction(name: string, args: Uint8Array): Uint8Array | Status {
    return this.#services.callForeignFunction(name, args)
  }
  hostcallFailed(name: string, error: unknown): void {
    this.#services.hostcallFailed(name, error)
  }
  hostcallMisused(name: string, status: number): void {
    this.#services.hostcallMisused(name, status)
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message || err.name
  return String(err)
}
