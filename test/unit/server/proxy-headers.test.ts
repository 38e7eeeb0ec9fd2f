import { describe, expect, it } from 'vitest'
import { buildResponseHeaders, responseHeaderName } from '../../../host/server/proxy-headers.ts'

const options = { xForwarded: true, requestId: true, via: undefined }
const raw = (...pairs: string[]) => pairs.map((s) => Buffer.from(s, 'latin1'))

describe('response headers', () => {
  it('lowercases names, common or not, whatever their case', () => {
    for (const name of ['Content-Type', 'CONTENT-LENGTH', 'date', 'Keep-Alive', 'ETag', 'X-Custom-Thing', 'Content-Typf', 'Dat[', 'x-\u00c9t\u00e9']) {
      expect(responseHeaderName(Buffer.from(name, 'latin1'))).toBe(name.toLowerCase())
    }
  })

  it('drops hop-by-hop headers and the names `connection` lists, keeping the rest in order', () => {
    const plain = buildResponseHeaders(raw('Content-Type', 'text/plain', 'Connection', 'Keep-Alive', 'Keep-Alive', 'timeout=5', 'Content-Length', '2'), options, 'id-1')
    expect(plain).toEqual(['content-type', 'text/plain', 'content-length', '2', 'x-request-id', 'id-1'])
    const listed = buildResponseHeaders(raw('X-Secret', 's', 'Connection', 'close, X-Secret', 'Date', 'now'), options, 'id-2')
    expect(listed).toEqual(['date', 'now', 'x-request-id', 'id-2'])
    const closeOnly = buildResponseHeaders(raw('Connection', 'CLOSE', 'Vary', 'accept'), options, 'id-3')
    expect(closeOnly).toEqual(['vary', 'accept', 'x-request-id', 'id-3'])
  })
})
