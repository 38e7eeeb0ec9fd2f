/**
 * @module
 * Upgrade (WebSocket) tunnelling.
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { ProxyContext } from './proxy-context.ts'

export function tunnelUpgrade(_ctx: ProxyContext, _req: IncomingMessage, socket: Duplex, _head: Buffer): void {
  socket.destroy()
}
