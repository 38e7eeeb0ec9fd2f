/**
 * @module
 * Answers requests node's HTTP parser refused (node `clientError`): a malformed request gets
 * 400, headers over `limits.maxRequestHeadersBytes` get 431, a client too slow to send its
 * headers gets 408. Each answer is the usual `{code, requestId}` JSON, then the connection closes;
 * nothing reaches a route or a filter.
 */
import { randomUUID } from 'node:crypto'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import { WasmgateError } from '../errors.ts'

const reasons: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }

export function writeClientError(err: Error & { code?: string }, socket: Duplex, maxHeaderBytes: number, headersTimeoutMs: number, logger: Logger): void {
  const code = err.code ?? ''
  if (code === 'ECONNRESET' || code === 'EPIPE' || !socket.writable) {
    socket.destroy()
    return
  }
  let wgErr: WasmgateError
  if (code === 'HPE_HEADER_OVERFLOW') wgErr = new WasmgateError('WG_ERR_REQUEST_HEADERS_TOO_LARGE', [maxHeaderBytes])
  else if (code === 'ERR_HTTP_REQUEST_TIMEOUT') wgErr = new WasmgateError('WG_ERR_REQUEST_TIMEOUT', [headersTimeoutMs])
  else wgErr = new WasmgateError('WG_ERR_REQUEST_MALFORMED', [code || err.message])
  const requestId = randomUUID()
  const status = wgErr.httpStatus ?? 400
  const body = JSON.stringify({ code: wgErr.code, requestId })
  logger.info({ requestId, code: wgErr.code, parserCode: code, status }, wgErr.message)
  socket.end(
    `HTTP/1.1 ${status} ${reasons[status] ?? 'Bad Request'}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `x-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
  )
}
