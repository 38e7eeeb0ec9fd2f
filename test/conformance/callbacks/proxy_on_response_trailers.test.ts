// proxy_on_response_trailers(ctx, num_trailers): called when the upstream response has trailers
// (reference §1.3); they reach the client.
import { describe, expect, it } from 'vitest'
import { startHostcalls, logLines, eventually } from '../support/hostcalls.ts'
import { rawExchange } from '../support/raw-http.ts'

describe('proxy_on_response_trailers', () => {
  it('is called with the number of trailers of a chunked response', async () => {
    const { gw } = await startHostcalls({
      config: 'log_callbacks=1',
      upstreamHandler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-checksum' })
        res.write('part')
        res.addTrailers({ 'x-checksum': 'abc' })
        res.end()
      },
    })
    const out = await rawExchange(gw.url, 'GET / HTTP/1.1\r\nHost: t\r\nTE: trailers\r\nx-test-tag: rtl\r\nConnection: close\r\n\r\n')
    expect(out).toMatch(/^HTTP\/1\.1 200/)
    const line = await eventually(() => logLines(gw, 'cb response_trailers ').find((l) => l.endsWith('tag=rtl')), 'response_trailers')
    expect(line).toContain(' n=1 ')
    expect(out.toLowerCase()).toContain('x-checksum: abc')
  })
})
