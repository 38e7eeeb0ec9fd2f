/**
 * @module
 * What the hostcalls ask of the layers above. `abi/` knows numbers and bytes only: the VM
 * implements AbiHost (one per instance) and the filter layer implements AbiContext (one per
 * root or stream context). Results are a value or a Status number.
 */
import type { AbiVersion, Status } from './constants.ts'
import type { GuestMemory } from './memory.ts'
import type { PairMap } from './pairs.ts'

export interface AbiContext {
  readonly id: number
  /** Stream contexts: the route is chosen again before the request goes upstream (Envoy clearRouteCache). */
  clearRouteCache?(): void
  /** The plugin's root context (itself for a root context). */
  readonly root: AbiContext
  /** The header map of `type`, or undefined when not available in this step (writes: also when read-only). */
  getMap(type: number, forWrite: boolean): PairMap | undefined
  /** The buffer of `type`, or undefined when not available in this step. */
  getBuffer(type: number): Uint8Array | undefined
  /** Envoy semantics: start 0 drains `size` then prepends; start ≥ length appends; else BadArgument. */
  setBuffer(type: number, start: number, size: number, value: Uint8Array): Status
  continueStream(type: number): Status
  closeStream(type: number): Status
  sendLocalResponse(statusCode: number, details: string, body: Uint8Array, headers: string[], grpcStatus: number): Status
  /** `rawPath`: the segments joined by NUL, as the guest sent them (no trailing NUL). A string is UTF-8 text. */
  getProperty(rawPath: string): Uint8Array | string | Status
  setProperty(rawPath: string, value: Uint8Array): Status
}

export interface SharedValue {
  readonly value: Uint8Array
  readonly cas: number
}

export interface AbiHost {
  readonly version: AbiVersion
  readonly memory: GuestMemory
  /** The context hostcalls act on (the callback's, or the effective one); undefined while the VM itself runs. */
  readonly context: AbiContext | undefined
  /** True while _start/_initialize/the start section or the allocator run (cpp-host restricted callbacks). */
  readonly restricted: boolean

  isLogEnabled(level: number): boolean
  log(level: number, message: string): void
  logLevel(): number
  /** fd 1 → info, fd 2 → error (spec "Logging"). */
  writeStdio(fd: number, text: string): void
  /** WASI environment entries, "KEY=VALUE". */
  readonly environ: readonly string[]

  setEffectiveContext(contextId: number): Status
  done(): Status
  setTickPeriod(periodMs: number): Status

  /** Returns the token (≥ 0) or a negative Status. */
  httpCall(upstream: string, headers: string[], body: Uint8Array, trailers: string[], timeoutMs: number): number
  calloutStatus(): { readonly code: number; readonly message: string }

  getSharedData(key: string): SharedValue | undefined
  setSharedData(key: string, value: Uint8Array, cas: number): Status
  registerSharedQueue(name: string): number
  /** Token, or undefined when absent. */
  resolveSharedQueue(vmId: string, name: string): number | undefined
  enqueueSharedQueue(token: number, value: Uint8Array): Status
  dequeueSharedQueue(token: number): Uint8Array | Status

  /** Metric id (≥ 0) or a negative Status. */
  defineMetric(type: number, name: string): number
  incrementMetric(id: number, delta: bigint): Status
  recordMetric(id: number, value: bigint): Status
  getMetric(id: number): bigint | Status

  callForeignFunction(name: string, args: Uint8Array): Uint8Array | Status

  /** A JS exception escaped a hostcall: a host bug. Logged and counted; the guest sees InternalFailure. */
  hostcallFailed(name: string, error: unknown): void
  /** A hostcall returned InvalidMemoryAccess or BadArgument: counted (the guest misused it). */
  hostcallMisused(name: string, status: number): void
}
