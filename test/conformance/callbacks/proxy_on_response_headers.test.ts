// proxy_on_response_headers(ctx, num_headers, end_of_stream): once per response per filter, with
// the response headers (map 2) readable and writable (reference §1.3).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, decodePairs, logLines, eventually, newTag } from '../support/hostcalls.ts'

describe('proxy_on_response_headers', () => {
  it('gets the number of response headers and end_of_stream 0 for a response with a body', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1' })
    const tag = newTag('rh')
    const res = await send(gw, { headers: { 'x-test-tag': tag, ...callHeaders({ call: 'proxy_get_header_map_pairs', map: 2, on: 'response_headers' }) } })
    const count = decodePairs(report(res).bytes!).length
    const line = await eventually(() => logLines(gw, 'cb response_headers ').find((l) => l.endsWith(`tag=${tag}`)), 'response_headers')
    expect(line).toContain(` n=${count} `)
    expect(line).toContain(' eos=0 ')
  })

  it('a local reply sent from request_headers ends the request normally', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1' })
    const tag = newTag('lr')
    const res = await send(gw, { headers: { 'x-test-tag': tag, ...callHeaders({ call: 'proxy_send_local_response', code: 403, body: 'no' }) } })
    expect(res.status).toBe(403)
    await eventually(() => logLines(gw, 'cb delete ').some((l) => l.endsWith(`tag=${tag}`)), 'end of request')
  })
})
