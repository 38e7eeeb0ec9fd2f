// The author API: subclass RootContext (one per plugin: configuration, ticks, queues) and
// HttpContext (one per request). Every callback has a default, so override only what you need.
import { proxy_set_tick_period_milliseconds } from "./abi/imports"
import { BufferType, FilterDataStatus, FilterHeadersStatus, FilterTrailersStatus } from "./abi/types"
import { readBuffer, readBufferString } from "./body"
import { Config } from "./config"
import { HttpCallResponse, dispatchHttpCall } from "./http-call"
import { StreamSide, request, response } from "./http-stream"
import { expectOk } from "./runtime/abort"
import { trackHttpCall } from "./runtime/dispatcher"
import { HeaderPair } from "./runtime/pairs"

/** Called with the context that made the call; cast it to your class (`changetype<MyHttp>(ctx)`). */
export type HttpCallCallback = (origin: BaseContext, response: HttpCallResponse) => void

export class BaseContext {
  /** Set by the SDK for root contexts (cheaper than instanceof on every callback). */
  isRoot: bool = false

  constructor(public readonly contextId: u32) {}

  /**
   * Calls `cluster` (a cluster name the proxy knows). `headers` must hold `:method`, `:path` and
   * `:authority`. The response goes to `callback`, or to onHttpCallResponse when it is null.
   * Returns the call's token, or -1 when the host refused it (the reason is logged).
   */
  httpCall(cluster: string, headers: HeaderPair[], body: string = "", timeoutMs: u32 = 5000, callback: HttpCallCallback | null = null): i64 {
    const bytes: ArrayBuffer | null = body.length == 0 ? null : String.UTF8.encode(body)
    return this.httpCallBytes(cluster, headers, bytes, null, timeoutMs, callback)
  }

  httpCallBytes(cluster: string, headers: HeaderPair[], body: ArrayBuffer | null, trailers: HeaderPair[] | null, timeoutMs: u32, callback: HttpCallCallback | null = null): i64 {
    const token = dispatchHttpCall(cluster, headers, body, trailers, timeoutMs)
    if (token >= 0) trackHttpCall(<u32>token, this.contextId, callback)
    return token
  }

  /** The response to an httpCall made without a callback. */
  onHttpCallResponse(response: HttpCallResponse): void {}

  /** Return false to keep the context alive until you call proxy_done (root contexts only). */
  onDone(): bool { return true }
  onDelete(): void {}
}

export class RootContext extends BaseContext {
  /** The VM is starting; its configuration is in vmConfiguration(). False refuses the VM. */
  onVmStart(vmConfigurationSize: usize): bool { return true }
  /** The plugin is (re)configured; read pluginConfiguration()/config(). False refuses it. */
  onConfigure(configurationSize: usize): bool { return true }
  onTick(): void {}
  /** An item arrived on a shared queue this root context registered. */
  onQueueReady(queueId: u32): void {}
  onForeignFunction(functionId: u32, argumentsSize: usize): void {}

  /** Makes the context for one request; the default passes everything through. */
  createHttpContext(contextId: u32): HttpContext {
    return new HttpContext(contextId, this)
  }

  /** Calls onTick every `periodMs` milliseconds (0 stops it). */
  setTickPeriod(periodMs: u32): void {
    expectOk(proxy_set_tick_period_milliseconds(periodMs), "proxy_set_tick_period_milliseconds")
  }

  vmConfiguration(): ArrayBuffer | null { return readBuffer(BufferType.VmConfiguration) }
  pluginConfiguration(): ArrayBuffer | null { return readBuffer(BufferType.PluginConfiguration) }

  /** The plugin configuration as text ("" when there is none). Valid during onConfigure. */
  pluginConfigurationText(): string {
    const t = readBufferString(BufferType.PluginConfiguration)
    return t == null ? "" : t
  }

  /** The plugin configuration as JSON (`{}` when empty); check `.ok` or call `.check()`. */
  config(): Config {
    return Config.parse(this.pluginConfigurationText())
  }
}

export class HttpContext extends BaseContext {
  constructor(contextId: u32, public readonly root: RootContext) {
    super(contextId)
  }

  /** The request: headers, body, trailers, resume(), close(). */
  get request(): StreamSide { return request }
  /** The response: headers, body, trailers, resume(), close(). */
  get response(): StreamSide { return response }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus { return FilterHeadersStatus.Continue }
  /** `bodySize` is everything buffered so far, not just this chunk. */
  onRequestBody(bodySize: usize, endOfStream: bool): FilterDataStatus { return FilterDataStatus.Continue }
  onRequestTrailers(numTrailers: u32): FilterTrailersStatus { return FilterTrailersStatus.Continue }
  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus { return FilterHeadersStatus.Continue }
  onResponseBody(bodySize: usize, endOfStream: bool): FilterDataStatus { return FilterDataStatus.Continue }
  onResponseTrailers(numTrailers: u32): FilterTrailersStatus { return FilterTrailersStatus.Continue }
  /** The request is complete (headers are read-only now): a good place for access logs. */
  onLog(): void {}
}
