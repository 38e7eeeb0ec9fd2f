/**
 * @module
 * The only writer of responses the proxy makes itself (errors, direct responses, filter local
 * replies). An error answer is a small JSON body `{code, requestId}` (plus `message` for 4xx the
 * client caused) and always carries x-request-id, so a client can quote it and an operator can
 * find the matching log line.
 */
import type { ServerResponse } from 'node:http'
import type { WasmgateError } from '../errors.ts'

export interface ErrorBody {
  readonly code: string
  readonly requestId: string
  readonly message?: string
}

/** Writes `{code, requestId, message?}` with the error's HTTP status (500 when it has none). */
export function sendErrorReply(res: ServerResponse, err: WasmgateError, requestId: string, withMessage = false): number {
  const status = err.httpStatus ?? 500
  const body: ErrorBody = withMessage ? { code: err.code, requestId, message: err.message } : { code: err.code, requestId }
  sendLocalReply(res, status, [['content-type', 'application/json']], JSON.stringify(body), requestId)
  return status
}

/** Writes a whole response from the proxy; a no-op when headers already went out. */
export function sendLocalReply(
  res: ServerResponse,
  status: number,
  headers: ReadonlyArray<readonly [string, string]>,
  body: Uint8Array | string,
  requestId: string | undefined,
): void {
  if (res.headersSent || res.destroyed) return
  const flat: string[] = []
  let hasType = false
  let hasId = false
  for (const [name, value] of headers) {
    const lower = name.toLowerCase()
    if (lower === 'content-length' || lower === 'transfer-encoding' || lower === 'connection') continue
    if (lower === 'content-type') hasType = true
    else if (lower === 'x-request-id') hasId = true
    flat.push(lower, value)
  }
  const bytes = typeof body === 'string' ? Buffer.from(body) : body
  if (!hasType && bytes.byteLength > 0) flat.push('content-type', 'text/plain; charset=utf-8')
  if (requestId !== undefined && !hasId) flat.push('x-request-id', requestId)
  flat.push('content-length', String(bytes.byteLength))
  res.writeHead(status, flat)
  res.end(bytes)
}
