/**
 * @module
 * Spec "HTTP callouts" and "gRPC callouts": proxy_http_call, proxy_get_status, proxy_grpc_*.
 *
 * gRPC is not implemented: proxy_grpc_call and proxy_grpc_stream return InternalFailure ("the
 * call could not be sent"), which every SDK maps to an error value (Rust: Err(InternalFailure);
 * Go: ErrInternalFailure; AssemblyScript SDKs: a non-OK WasmResult). send/cancel/close then see
 * an unknown token and return NotFound, as for any token that is not in flight.
 */
import type { AbiHost } from '../abi-host.ts'
import { Status } from '../constants.ts'
import { decodePairs } from '../pairs.ts'

export function httpCallImports(host: AbiHost) {
  const mem = host.memory
  return {
    proxy_http_call(
      upstreamPtr: number,
      upstreamSize: number,
      headersPtr: number,
      headersSize: number,
      bodyPtr: number,
      bodySize: number,
      trailersPtr: number,
      trailersSize: number,
      timeoutMs: number,
      retTokenPtr: number,
    ): number {
      const upstream = mem.utf8(upstreamPtr, upstreamSize)
      const headerBytes = mem.view(headersPtr, headersSize)
      const trailerBytes = mem.view(trailersPtr, trailersSize)
      const body = mem.copy(bodyPtr, bodySize)
      if (upstream === undefined || headerBytes === undefined || trailerBytes === undefined || body === undefined) {
        return Status.InvalidMemoryAccess
      }
      if (!mem.inBounds(retTokenPtr, 4)) return Status.InvalidMemoryAccess
      const headers = decodePairs(headerBytes)
      const trailers = decodePairs(trailerBytes)
      if (headers === undefined || trailers === undefined) return Status.BadArgument
      // Envoy: a negative timeout is a bad argument; 0 means none.
      if ((timeoutMs | 0) < 0) return Status.BadArgument
      const token = host.httpCall(upstream, headers, body, trailers, timeoutMs >>> 0)
      if (token < 0) return -token
      mem.writeU32(retTokenPtr, token)
      return Status.Ok
    },
    proxy_get_status(retCodePtr: number, retMsgPtrPtr: number, retMsgSizePtr: number): number {
      if (!mem.inBounds(retCodePtr, 4)) return Status.InvalidMemoryAccess
      const { code, message } = host.calloutStatus()
      const st = mem.copyOut(Buffer.from(message, 'utf8'), retMsgPtrPtr, retMsgSizePtr)
      if (st !== Status.Ok) return st
      mem.writeU32(retCodePtr, code)
      return Status.Ok
    },
    proxy_grpc_call(
      upstreamPtr: number, upstreamSize: number, servicePtr: number, serviceSize: number,
      methodPtr: number, methodSize: number, mdPtr: number, mdSize: number,
      msgPtr: number, msgSize: number, _timeoutMs: number, retTokenPtr: number,
    ): number {
      const ok = mem.inBounds(upstreamPtr, upstreamSize) && mem.inBounds(servicePtr, serviceSize) && mem.inBounds(methodPtr, methodSize) &&
        mem.inBounds(mdPtr, mdSize) && mem.inBounds(msgPtr, msgSize) && mem.inBounds(retTokenPtr, 4)
      return ok ? Status.InternalFailure : Status.InvalidMemoryAccess
    },
    proxy_grpc_stream(
      upstreamPtr: number, upstreamSize: number, servicePtr: number, serviceSize: number,
      methodPtr: number, methodSize: number, mdPtr: number, mdSize: number, retTokenPtr: number,
    ): number {
      const ok = mem.inBounds(upstreamPtr, upstreamSize) && mem.inBounds(servicePtr, serviceSize) && mem.inBounds(methodPtr, methodSize) &&
        mem.inBounds(mdPtr, mdSize) && mem.inBounds(retTokenPtr, 4)
      return ok ? Status.InternalFailure : Status.InvalidMemoryAccess
    },
    proxy_grpc_send(_token: number, msgPtr: number, msgSize: number, _endStream: number): number {
      // cpp-host reads the message before looking the token up.
      return mem.inBounds(msgPtr, msgSize) ? Status.NotFound : Status.InvalidMemoryAccess
    },
    proxy_grpc_cancel(_token: number): number {
      return Status.NotFound
    },
    proxy_grpc_close(_token: number): number {
      return Status.NotFound
    },
  }
}
