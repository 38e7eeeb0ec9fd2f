/**
 * @module
 * A plugin's root context (cpp-host: one per plugin inside its VM): configuration buffers by
 * phase, the tick timer, http callouts (always issued from and answered on the root context, as
 * in Envoy) and queue delivery. Root callbacks run from the event loop, never inline.
 */
import type { AbiContext } from '../abi/abi-host.ts'
import { BufferType, MapType, Status } from '../abi/constants.ts'
import { MIN_TICK_PERIOD_MS } from '../abi/limits.ts'
import type { RootLifecycle, RootPhase } from '../vm/plugin.ts'
import { TRAPPED } from '../vm/instance.ts'
import type { HttpCallResult } from './contract.ts'
import { HeaderMap } from './header-map.ts'
import type { LivePlugin } from './live-plugin.ts'
import { resolveProperty } from './properties.ts'
import { editBuffer } from './buffer-edit.ts'
import { IdTable } from '../vm/id-table.ts'

interface PendingCall {
  readonly id: number
  /** Undefined once the dispatcher has answered (the answer waits for setImmediate). */
  readonly cancel: (() => void) | undefined
}

interface CallResponse {
  readonly headers: HeaderMap
  body: Uint8Array
  readonly trailers: HeaderMap
}

export class RootContext implements RootLifecycle {
  readonly id: number
  readonly live: LivePlugin
  phase: RootPhase = 'created'
  #callResponse: CallResponse | undefined = undefined
  #calloutStatus: { code: number; message: string } = { code: Status.Ok, message: '' }
  /** By token; an IdTable, not a Map: a filter may call out on every request (vm/id-table.ts). */
  readonly #pendingCalls = new IdTable<PendingCall>()
  /** cpp-host pre-increments by 4 from 0: the first http token is 4 (low 2 bits: callout type 0). */
  #nextToken = 4
  #tickPeriodMs = 0
  #tickTimer: NodeJS.Timeout | undefined = undefined
  readonly queueListener = (token: number): void => this.#onQueueReady(token)

  constructor(live: LivePlugin, id: number) {
    this.live = live
    this.id = id
  }

  get root(): AbiContext {
    return this
  }

  getMap(type: number, _forWrite: boolean): HeaderMap | undefined {
    if (type === MapType.HttpCallResponseHeaders) return this.#callResponse?.headers
    if (type === MapType.HttpCallResponseTrailers) return this.#callResponse?.trailers
    return undefined
  }

  getBuffer(type: number): Uint8Array | undefined {
    switch (type) {
      case BufferType.VmConfiguration:
        return this.live.spec.vmConfiguration
      case BufferType.PluginConfiguration:
        // Envoy: only while the plugin is being configured (temp_plugin_).
        return this.phase === 'configure' ? this.live.spec.configuration : undefined
      case BufferType.HttpCallResponseBody:
        return this.#callResponse?.body
    }
    return undefined
  }

  setBuffer(type: number, start: number, size: number, value: Uint8Array): Status {
    if (type !== BufferType.HttpCallResponseBody || this.#callResponse === undefined) return Status.NotFound
    const next = editBuffer(this.#callResponse.body, start, size, value)
    if (next === undefined) return Status.BadArgument
    this.#callResponse.body = next
    return Status.Ok
  }

  continueStream(_type: number): Status {
    return Status.BadArgument
  }

  closeStream(_type: number): Status {
    return Status.BadArgument
  }

  sendLocalResponse(): Status {
    return Status.BadArgument
  }

  getProperty(rawPath: string): Uint8Array | string | Status {
    return resolveProperty(rawPath, this.live.spec, undefined)
  }

  /** Envoy: NotFound without stream info (a root context). */
  setProperty(): Status {
    return Status.NotFound
  }

  // Ticks: per root context, re-armed after each on_tick; 0 disables.
  setTickPeriod(periodMs: number): Status {
    this.#tickPeriodMs = periodMs === 0 ? 0 : Math.max(MIN_TICK_PERIOD_MS, periodMs)
    if (this.#tickTimer !== undefined) clearTimeout(this.#tickTimer)
    this.#tickTimer = undefined
    if (this.#tickPeriodMs > 0) this.#armTick()
    return Status.Ok
  }

  #armTick(): void {
    this.#tickTimer = setTimeout(() => this.#onTick(), this.#tickPeriodMs)
    this.#tickTimer.unref()
  }

  /**
   * Test seam (wasmgate/testing): runs one on_tick now, deferred actions applied, and restarts
   * the period from here. False when nothing ran: no period set, no on_tick export, or the
   * instance failed or retired.
   */
  tickForTesting(): boolean {
    if (this.#tickPeriodMs === 0 || this.live.callbacks.onTick === undefined || this.live.instance.failed !== undefined || this.phase === 'done') return false
    if (this.#tickTimer !== undefined) clearTimeout(this.#tickTimer)
    this.#onTick()
    return true
  }

  #onTick(): void {
    this.#tickTimer = undefined
    const inst = this.live.instance
    const fn = this.live.callbacks.onTick
    if (fn === undefined || inst.failed !== undefined || this.phase === 'done') return
    inst.call('proxy_on_tick', fn, this, this.id)
    this.live.flush()
    if (this.#tickPeriodMs > 0 && this.#tickTimer === undefined && inst.failed === undefined && (this.phase as RootPhase) !== 'done') this.#armTick()
  }

  // HTTP callouts.
  httpCall(upstream: string, flatHeaders: string[], body: Uint8Array, flatTrailers: string[], timeoutMs: number): number {
    const dispatcher = this.live.shared.httpCalls
    if (!dispatcher.hasCluster(upstream)) return -Status.BadArgument
    const headers = new HeaderMap()
    headers.replaceAll(flatHeaders)
    // Envoy: :path, :method and :authority are required (there is no :host).
    if (!headers.has(':path') || !headers.has(':method') || !headers.has(':authority')) return -Status.BadArgument
    if (body.length > 0) headers.set('content-length', String(body.length))
    const trailers = new HeaderMap()
    trailers.replaceAll(flatTrailers)
    const token = this.#nextToken
    this.#nextToken = (this.#nextToken + 4) >>> 0 || 4
    let cancel: (() => void) | undefined
    let settled = false
    try {
      cancel = dispatcher.call(upstream, headers, body, trailers, timeoutMs, (result) => {
        settled = true
        // Never on the guest's stack: the dispatcher may answer synchronously.
        setImmediate(() => this.#onCallDone(token, result))
      })
    } catch {
      return -Status.InternalFailure
    }
    this.#pendingCalls.set({ id: token, cancel: settled ? undefined : cancel })
    return token
  }

  calloutStatus(): { code: number; message: string } {
    return this.#calloutStatus
  }

  #onCallDone(token: number, result: HttpCallResult): void {
    if (!this.#pendingCalls.delete(token)) return
    const inst = this.live.instance
    if (inst.failed !== undefined || this.phase === 'done') return
    let response: CallResponse | undefined
    if (result.ok) {
      response = { headers: result.headers, body: result.body, trailers: result.trailers }
      this.#calloutStatus = { code: Status.Ok, message: '' }
    } else if (result.reason === 'reset' || result.reason === 'overflow') {
      // Envoy onHttpCallFailure: no response (0 headers); get_status reports BrokenConnection.
      this.#calloutStatus = { code: Status.BrokenConnection, message: result.reason === 'overflow' ? 'response buffer limit exceeded' : 'reset' }
    } else {
      // Envoy's router answers these itself, and the async client delivers that local reply as a
      // response (onSuccess): 504 for a timeout, 503 for a connect failure or no healthy host.
      const status = result.reason === 'timeout' ? '504' : '503'
      const text =
        result.reason === 'timeout' ? 'upstream request timeout' : result.reason === 'connect' ? 'upstream connect error or disconnect/reset before headers. reset reason: connection failure' : 'no healthy upstream'
      response = {
        headers: HeaderMap.fromPairs([[':status', status], ['content-length', String(text.length)], ['content-type', 'text/plain']]),
        body: Buffer.from(text),
        trailers: new HeaderMap(),
      }
      this.#calloutStatus = { code: Status.Ok, message: '' }
    }
    const fn = this.live.callbacks.onHttpCallResponse
    if (fn === undefined) return
    this.#callResponse = response
    try {
      if (response === undefined) inst.call('proxy_on_http_call_response', fn, this, this.id, token, 0, 0, 0)
      else inst.call('proxy_on_http_call_response', fn, this, this.id, token, response.headers.size, response.body.length, response.trailers.size)
    } finally {
      this.#callResponse = undefined
    }
    this.live.flush()
  }

  #onQueueReady(token: number): void {
    const inst = this.live.instance
    const fn = this.live.callbacks.onQueueReady
    if (fn === undefined || inst.failed !== undefined || this.phase === 'done') return
    inst.call('proxy_on_queue_ready', fn, this, this.id, token)
    this.live.flush()
  }

  /** Stops timers and callouts (instance failed or retired). */
  shutdown(): void {
    if (this.#tickTimer !== undefined) clearTimeout(this.#tickTimer)
    this.#tickTimer = undefined
    this.#tickPeriodMs = 0
    for (const call of this.#pendingCalls.values()) call.cancel?.()
    this.#pendingCalls.clear()
    this.live.shared.queues.unbind(this.queueListener)
  }
}

export { TRAPPED }
