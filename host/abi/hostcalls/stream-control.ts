/**
 * @module
 * Spec "HTTP stream" control: proxy_continue_stream, proxy_close_stream, proxy_send_local_response,
 * and 0.1.0's proxy_continue_request / proxy_continue_response / proxy_clear_route_cache. The
 * context defers the effect until the guest call returns (Envoy addAfterVmCallAction).
 */
import type { AbiHost } from '../abi-host.ts'
import { Status, StreamType } from '../constants.ts'
import { decodePairs } from '../pairs.ts'

export function streamControlImports(host: AbiHost) {
  const mem = host.memory
  return {
    proxy_continue_stream(streamType: number): number {
      const ctx = host.context
      return ctx === undefined ? Status.InternalFailure : ctx.continueStream(streamType)
    },
    proxy_close_stream(streamType: number): number {
      const ctx = host.context
      return ctx === undefined ? Status.InternalFailure : ctx.closeStream(streamType)
    },
    proxy_continue_request(): number {
      const ctx = host.context
      return ctx === undefined ? Status.InternalFailure : ctx.continueStream(StreamType.HttpRequest)
    },
    proxy_continue_response(): number {
      const ctx = host.context
      return ctx === undefined ? Status.InternalFailure : ctx.continueStream(StreamType.HttpResponse)
    },
    /** 0.1.0. Outside a stream (a root context) there is no route to clear. */
    proxy_clear_route_cache(): number {
      host.context?.clearRouteCache?.()
      return Status.Ok
    },
    proxy_send_local_response(
      statusCode: number,
      detailsPtr: number,
      detailsSize: number,
      bodyPtr: number,
      bodySize: number,
      headersPtr: number,
      headersSize: number,
      grpcStatus: number,
    ): number {
      const ctx = host.context
      if (ctx === undefined) return Status.InternalFailure
      const details = mem.utf8(detailsPtr, detailsSize)
      const body = mem.copy(bodyPtr, bodySize)
      const headerBytes = mem.view(headersPtr, headersSize)
      if (details === undefined || body === undefined || headerBytes === undefined) return Status.InvalidMemoryAccess
      const headers = decodePairs(headerBytes)
      if (headers === undefined) return Status.BadArgument
      return ctx.sendLocalResponse(statusCode >>> 0, details, body, headers, grpcStatus | 0)
    },
  }
}
