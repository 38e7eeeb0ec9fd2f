/**
 * @module
 * The seam between the server (one proxied request) and the filter layer (a route's chain of
 * Wasm filters). The server never knows about Wasm; the filter layer never touches sockets.
 *
 * Data flows like Envoy's decoder/encoder chains, push style:
 *
 *   client → server → FilterStream.decode*() → filters 1..n → StreamSink.sendRequest*() → upstream
 *   client ← server ← StreamSink.sendResponse*() ← filters n..1 ← FilterStream.encode*() ← upstream
 *
 * A filter that pauses holds the data until it (or a callout/queue event) continues; the sink is
 * then called later, asynchronously. A route with no filters has no FilterStream at all: the
 * server wires client and upstream directly (the fast path).
 */
import type { HeaderMap } from './header-map.ts'

/** What the server tells the filter layer about the request (for properties and logs). */
export interface StreamInfo {
  readonly requestId: string
  readonly connectionId: number
  readonly startTimeMs: number
  /** performance.now() when the request started: request.duration needs better than milliseconds. */
  readonly startMonotonicMs: number
  readonly protocol: string // "HTTP/1.1"
  readonly sourceAddress: string
  readonly sourcePort: number
  readonly destinationAddress: string
  readonly destinationPort: number
  readonly isTls: boolean
  readonly tlsVersion: string | undefined
  readonly requestedServerName: string | undefined
  /** Mutable: the route is chosen again when a filter changes request headers. */
  routeName: string
  clusterName: string | undefined
  /** Set by the server as the request progresses; read by properties like response.code. */
  responseCode: number
  requestBodyBytes: number
  responseBodyBytes: number
  upstreamAddress: string | undefined
}

/** Implemented by server/stream.ts: where the chain's output goes. All calls are asynchronous-safe. */
export interface StreamSink {
  sendRequestHeaders(headers: HeaderMap, endOfStream: boolean): void
  sendRequestData(chunk: Uint8Array, endOfStream: boolean): void
  sendRequestTrailers(trailers: HeaderMap): void
  sendResponseHeaders(headers: HeaderMap, endOfStream: boolean): void
  sendResponseData(chunk: Uint8Array, endOfStream: boolean): void
  sendResponseTrailers(trailers: HeaderMap): void
  /** Answers the client from the proxy; only before response headers went out. */
  sendLocalReply(status: number, headers: ReadonlyArray<readonly [string, string]>, body: Uint8Array | string, details: string): void
  /**
   * Fails the request as the gateway would (503/500 JSON with code and request id), or, when
   * response headers already went out, destroys the downstream socket.
   */
  failStream(code: string, details: string): void
  /** proxy_close_stream: reset both sides. */
  resetStream(details: string): void
  /** Backpressure: a filter buffering a body asks the client side to stop/start reading. */
  pauseRequestReading(): void
  resumeRequestReading(): void
}

/**
 * Created per request by the route's chain; implemented by filter/chain.ts. The stream owns
 * content-length: headers it sends are written as they are, so a stream that changes a body
 * holds that direction's headers until it knows the new length, or drops the length.
 */
export interface FilterStream {
  /** True if some filter exports a request body callback (else the server may pipe bodies). */
  readonly wantsRequestBody: boolean
  readonly wantsResponseBody: boolean
  /**
   * A filter changed the request headers (or called the clear_route_cache foreign function):
   * as in Envoy, the route is chosen again from the headers the chain sends upstream.
   */
  readonly isRouteCacheCleared: boolean
  decodeHeaders(headers: HeaderMap, endOfStream: boolean): void
  decodeData(chunk: Uint8Array, endOfStream: boolean): void
  decodeTrailers(trailers: HeaderMap): void
  encodeHeaders(headers: HeaderMap, endOfStream: boolean): void
  encodeData(chunk: Uint8Array, endOfStream: boolean): void
  encodeTrailers(trailers: HeaderMap): void
  /** End of the request, completed or aborted: on_log, on_done, on_delete for each filter. */
  destroy(): void
}

/** One route's chain; built by the filter layer from the route's filter names. */
export interface FilterChain {
  readonly filterNames: readonly string[]
  createStream(info: StreamInfo, sink: StreamSink): FilterStream
}

/** The result of an http callout (proxy_http_call), or why it failed. */
export type HttpCallResult =
  | { readonly ok: true; readonly headers: HeaderMap; readonly body: Uint8Array; readonly trailers: HeaderMap }
  | { readonly ok: false; readonly reason: 'timeout' | 'reset' | 'connect' | 'overflow' | 'no-healthy-endpoint' }

/**
 * Implemented by the server's cluster manager and handed to the filter layer, so filters can
 * call clusters by name (Envoy semantics: a callout goes to a configured cluster, never a URL).
 */
export interface HttpCallDispatcher {
  hasCluster(name: string): boolean
  /** `headers` includes `:method :path :authority`; returns a cancel function. */
  call(cluster: string, headers: HeaderMap, body: Uint8Array, trailers: HeaderMap, timeoutMs: number, done: (result: HttpCallResult) => void): () => void
}
