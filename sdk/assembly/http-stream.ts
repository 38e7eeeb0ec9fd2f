// The current HTTP stream: request and response (headers, body, trailers), resuming a paused
// side, and answering locally. Hostcalls act on the context the host is calling, so these are
// stateless singletons shared by every HttpContext (no allocation per request).
import { proxy_close_stream, proxy_continue_stream, proxy_send_local_response } from "./abi/imports"
import { BufferType, GrpcStatus, MapType, Status, StreamType } from "./abi/types"
import { Body } from "./body"
import { HeaderMap } from "./headers"
import { expectOk } from "./runtime/abort"
import { encodeAt, scratch, scratchBase } from "./runtime/memory"
import { HeaderPair, encodePairs } from "./runtime/pairs"

export class StreamSide {
  constructor(
    public readonly headers: HeaderMap,
    public readonly trailers: HeaderMap,
    public readonly body: Body,
    public readonly streamType: StreamType,
  ) {}

  /** Continues this side after a callback returned a pause (e.g. from an http call's response). */
  resume(): void {
    const status = proxy_continue_stream(this.streamType)
    // NotFound: the stream already ended (client gone); nothing left to resume.
    if (status != Status.NotFound) expectOk(status, "proxy_continue_stream")
  }

  /** Resets the stream (proxy_close_stream). */
  close(): void {
    const status = proxy_close_stream(this.streamType)
    if (status != Status.NotFound) expectOk(status, "proxy_close_stream")
  }
}

export const request = new StreamSide(
  new HeaderMap(MapType.HttpRequestHeaders), new HeaderMap(MapType.HttpRequestTrailers),
  new Body(BufferType.HttpRequestBody), StreamType.HttpRequest,
)

export const response = new StreamSide(
  new HeaderMap(MapType.HttpResponseHeaders), new HeaderMap(MapType.HttpResponseTrailers),
  new Body(BufferType.HttpResponseBody), StreamType.HttpResponse,
)

const NO_HEADERS: HeaderPair[] = []

/**
 * Answers the client from the filter, instead of the upstream. Return FilterHeadersStatus.StopIteration
 * (or the body equivalent) from the callback afterwards; hosts force that anyway.
 */
export function sendLocalResponse(statusCode: u32, body: string = "", headers: HeaderPair[] = NO_HEADERS, details: string = "", grpcStatus: GrpcStatus = GrpcStatus.InvalidCode): void {
  const d = encodeAt(details, 0)
  const b = encodeAt(body, d)
  const h = encodePairs(headers, d + b)
  sendEncoded(statusCode, d, b, h, grpcStatus)
}

/** Like sendLocalResponse, with a binary body. */
export function sendLocalResponseBytes(statusCode: u32, body: ArrayBuffer, headers: HeaderPair[] = NO_HEADERS, details: string = "", grpcStatus: GrpcStatus = GrpcStatus.InvalidCode): void {
  const d = encodeAt(details, 0)
  const b = <usize>body.byteLength
  const h = encodePairs(headers, d + b)
  memory.copy(scratch(d + b + h) + d, changetype<usize>(body), b)
  sendEncoded(statusCode, d, b, h, grpcStatus)
}

function sendEncoded(statusCode: u32, d: usize, b: usize, h: usize, grpcStatus: GrpcStatus): void {
  const base = scratchBase()
  expectOk(proxy_send_local_response(statusCode, base, d, base + d, b, base + d + b, h, grpcStatus), "proxy_send_local_response")
}
