/**
 * @module
 * Requests with `Upgrade` (WebSocket): routed like any other, then tunnelled to the route's
 * cluster (upgrade-tunnel.ts), through the route's filters when it has some
 * (filtered-upgrade.ts).
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WasmgateError } from '../errors.ts'
import { FilteredUpgrade } from './filtered-upgrade.ts'
import type { ProxyContext } from './proxy-context.ts'
import { buildRequestHeaders } from './proxy-headers.ts'
import { rewritePath } from './router.ts'
import { openTunnel, writeError, writeResponse, type UpgradeTarget } from './upgrade-tunnel.ts'

export function tunnelUpgrade(ctx: ProxyContext, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => socket.destroy())
  const route = ctx.router.match(req as { method: string; url: string; headers: IncomingMessage['headers'] })
  const rt = route === undefined ? undefined : ctx.routes[route.index]
  const clientIp = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '')
  // As for plain requests: with filters, route rewrites wait until the chain has passed the handshake.
  const rewritesNow = rt?.chain === undefined
  const hdr = buildRequestHeaders(req.rawHeaders, ctx.headerOptions, clientIp, ctx.isTls ? 'https' : 'http', rewritesNow ? route?.config.rewrite?.host : undefined)
  if (rt === undefined) return writeError(ctx, socket, new WasmgateError('WG_ERR_REQUEST_NO_ROUTE', [req.method ?? '', req.url ?? '']), hdr.requestId)
  const direct = rt.route.config.directResponse
  if (direct !== undefined && rt.chain === undefined) {
    const headers = Object.entries(direct.headers).flat()
    if (ctx.headerOptions.requestId) headers.push('x-request-id', hdr.requestId)
    return writeResponse(socket, direct.status, headers, Buffer.from(direct.body ?? ''))
  }
  const url = req.url ?? '/'
  const target: UpgradeTarget = { method: req.method ?? 'GET', path: rewritesNow ? rewritePath(rt.route, url) : url, headers: hdr.flat }
  if (rt.chain === undefined) return openTunnel(ctx, rt, req, socket, head, hdr.requestId, target, undefined)
  new FilteredUpgrade(ctx, req, socket, head, rt, rt.chain, hdr.requestId).start(target)
}
