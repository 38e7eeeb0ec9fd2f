/**
 * @module
 * One filter × one request: the stream context hostcalls act on. Header maps are the stream's
 * (shared by every filter, like Envoy's); a body buffer is visible only during that body
 * callback. Stream actions requested by the guest (continue, close, local reply) are recorded
 * here and applied by the stream after the guest call returns.
 */
import type { AbiContext } from '../abi/abi-host.ts'
import { BufferType, MapType, Status, StreamType } from '../abi/constants.ts'
import type { HeaderMap } from './header-map.ts'
import type { LivePlugin } from './live-plugin.ts'
import { resolveProperty, type PropertyStream } from './properties.ts'
import type { RootContext } from './root-context.ts'
import { editBuffer } from './buffer-edit.ts'

/** What an HttpContext needs from its stream (implemented by chain.ts FilterStreamImpl). */
export interface StreamAccess extends PropertyStream {
  readonly info: import('./contract.ts').StreamInfo
  readonly requestHeaders: HeaderMap | undefined
  readonly requestTrailers: HeaderMap | undefined
  readonly responseHeaders: HeaderMap | undefined
  readonly responseTrailers: HeaderMap | undefined
  readonly responseStarted: boolean
  readonly setProperties: Map<string, Uint8Array>
  applyActions(ctx: HttpContext): void
  /** Envoy clears the route cache when a filter writes request headers: route again before dispatch. */
  clearRouteCache(): void
  /** The instance `live` failed while the stream waited on one of its filters. */
  instanceFailed(live: LivePlugin): void
}

export const PENDING_CONTINUE_REQUEST = 1
export const PENDING_CONTINUE_RESPONSE = 2
export const PENDING_CLOSE = 4
export const PENDING_LOCAL_REPLY = 8

export interface LocalReply {
  readonly status: number
  readonly details: string
  readonly body: Uint8Array
  readonly headers: string[]
  readonly grpcStatus: number
}

export class HttpContext implements AbiContext {
  readonly id: number
  readonly live: LivePlugin
  readonly index: number
  readonly #stream: StreamAccess
  /** on_context_create ran (on_done/on_log/on_delete are owed). */
  created = false
  /** Failed open or unavailable: never called again in this stream. */
  skipped = false
  /** The stream waits on this filter: told if the instance fails meanwhile (so it does not hang). */
  watched = false
  /** True during on_log: maps are read-only. */
  inLog = false
  requestBody: Uint8Array | undefined = undefined
  responseBody: Uint8Array | undefined = undefined
  bodyModified = false
  pending = 0
  localReply: LocalReply | undefined = undefined

  constructor(live: LivePlugin, id: number, index: number, stream: StreamAccess) {
    this.live = live
    this.id = id
    this.index = index
    this.#stream = stream
  }

  get root(): RootContext {
    return this.live.root
  }

  clearRouteCache(): void {
    this.#stream.clearRouteCache()
  }

  /** The stream, while it waits on this filter (see `watched`). */
  waitingStream(): StreamAccess | undefined {
    return this.watched ? this.#stream : undefined
  }

  get requestId(): string {
    return this.#stream.info.requestId
  }

  getMap(type: number, forWrite: boolean): HeaderMap | undefined {
    if (forWrite && this.inLog) return undefined
    const s = this.#stream
    switch (type) {
      case MapType.HttpRequestHeaders:
        if (forWrite && s.requestHeaders !== undefined) s.clearRouteCache()
        return s.requestHeaders
      case MapType.HttpRequestTrailers:
        return s.requestTrailers
      case MapType.HttpResponseHeaders:
        return s.responseHeaders
      case MapType.HttpResponseTrailers:
        return s.responseTrailers
      case MapType.HttpCallResponseHeaders:
      case MapType.HttpCallResponseTrailers:
        return this.live.root.getMap(type, forWrite)
    }
    return undefined
  }

  getBuffer(type: number): Uint8Array | undefined {
    switch (type) {
      case BufferType.HttpRequestBody:
        return this.requestBody
      case BufferType.HttpResponseBody:
        return this.responseBody
      case BufferType.HttpCallResponseBody:
      case BufferType.VmConfiguration:
      case BufferType.PluginConfiguration:
        return this.live.root.getBuffer(type)
    }
    return undefined
  }

  setBuffer(type: number, start: number, size: number, value: Uint8Array): Status {
    if (type === BufferType.HttpRequestBody || type === BufferType.HttpResponseBody) {
      const cur = type === BufferType.HttpRequestBody ? this.requestBody : this.responseBody
      if (cur === undefined) return Status.NotFound
      const next = editBuffer(cur, start, size, value)
      if (next === undefined) return Status.BadArgument
      if (type === BufferType.HttpRequestBody) this.requestBody = next
      else this.responseBody = next
      this.bodyModified = true
      return Status.Ok
    }
    if (type === BufferType.HttpCallResponseBody) return this.live.root.setBuffer(type, start, size, value)
    return Status.NotFound
  }

  continueStream(type: number): Status {
    if (type === StreamType.HttpRequest) this.#defer(PENDING_CONTINUE_REQUEST)
    else if (type === StreamType.HttpResponse) this.#defer(PENDING_CONTINUE_RESPONSE)
    else return Status.BadArgument
    return Status.Ok
  }

  closeStream(type: number): Status {
    if (type !== StreamType.HttpRequest && type !== StreamType.HttpResponse) return Status.BadArgument
    this.#defer(PENDING_CLOSE)
    return Status.Ok
  }

  sendLocalResponse(statusCode: number, details: string, body: Uint8Array, headers: string[], grpcStatus: number): Status {
    // Only until response headers went downstream (spec); Envoy refuses a second reply too.
    if (this.#stream.responseStarted || this.localReply !== undefined) return Status.BadArgument
    if (statusCode < 100 || statusCode > 999) return Status.BadArgument
    this.localReply = { status: statusCode, details, body, headers, grpcStatus }
    this.#defer(PENDING_LOCAL_REPLY)
    return Status.Ok
  }

  getProperty(rawPath: string): Uint8Array | string | Status {
    return resolveProperty(rawPath, this.live.spec, this.#stream)
  }

  setProperty(rawPath: string, value: Uint8Array): Status {
    this.#stream.setProperties.set(rawPath, value)
    return Status.Ok
  }

  #defer(bit: number): void {
    if (this.pending === 0) this.live.defer(this)
    this.pending |= bit
  }

  applyDeferred(): void {
    this.#stream.applyActions(this)
  }
}
