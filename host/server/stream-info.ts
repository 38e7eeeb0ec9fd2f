/**
 * @module
 * The StreamInfo the filter layer reads (properties, logs) for one request: built once per
 * request that runs a filter chain, plain or upgraded.
 */
import type { IncomingMessage } from 'node:http'
import type { TLSSocket } from 'node:tls'
import type { StreamInfo } from '../filter/contract.ts'
import type { ProxyContext, RouteRuntime } from './proxy-context.ts'

const kConnectionId = Symbol('wasmgate.connectionId')

export interface StreamStart {
  readonly requestId: string
  readonly startMs: number
  readonly startPerfMs: number
}

export function makeStreamInfo(ctx: ProxyContext, req: IncomingMessage, rt: RouteRuntime | undefined, start: StreamStart): StreamInfo {
  const socket = req.socket as TLSSocket & { [kConnectionId]?: number }
  // Connection ids are handed out on a connection's first filtered request.
  socket[kConnectionId] ??= ctx.nextConnectionId++
  return {
    requestId: start.requestId,
    connectionId: socket[kConnectionId],
    startTimeMs: start.startMs,
    startMonotonicMs: start.startPerfMs,
    protocol: `HTTP/${req.httpVersion}`,
    sourceAddress: socket.remoteAddress ?? '',
    sourcePort: socket.remotePort ?? 0,
    destinationAddress: socket.localAddress ?? '',
    destinationPort: socket.localPort ?? 0,
    isTls: ctx.isTls,
    tlsVersion: ctx.isTls ? (socket.getProtocol?.() ?? undefined) : undefined,
    requestedServerName: ctx.isTls ? ((socket as { servername?: string | false }).servername || undefined) : undefined,
    routeName: rt?.route.name ?? '',
    clusterName: rt?.cluster?.name,
    responseCode: 0,
    requestBodyBytes: 0,
    responseBodyBytes: 0,
    upstreamAddress: undefined,
  }
}
