// proxy_on_request_trailers(ctx, num_trailers): called when a chunked request carries trailers;
// the trailers map (1) is readable there (reference §1.3).
import { describe, expect, it } from 'vitest'
import { startHostcalls, logLines, eventually } from '../support/hostcalls.ts'
import { rawExchange } from '../support/raw-http.ts'

describe('proxy_on_request_trailers', () => {
  it('is called with the number of trailers of a chunked request', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1' })
    const req =
      'POST /trailers HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nTrailer: x-t1, x-t2\r\nx-test-tag: trl\r\n' +
      'x-test-call: proxy_get_header_map_value\r\nx-test-on: request_trailers\r\nx-test-map: 1\r\nx-test-key: x-t1\r\nConnection: close\r\n\r\n' +
      '5\r\nhello\r\n0\r\nx-t1: one\r\nx-t2: two\r\n\r\n'
    const out = await rawExchange(gw.url, req)
    expect(out).toMatch(/^HTTP\/1\.1 200/)
    const line = await eventually(() => logLines(gw, 'cb request_trailers ').find((l) => l.endsWith('tag=trl')), 'request_trailers')
    expect(line).toContain(' n=2 ')
    expect(logLines(gw, 'hc tag=trl n=1 step=request_trailers ')[0]).toContain(`hex=${Buffer.from('one').toString('hex')}`)
  })
})
