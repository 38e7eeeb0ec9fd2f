// proxy_on_request_headers(ctx, num_headers, end_of_stream): once per request per filter;
// end_of_stream is 1 when there is no body; Pause holds the request until continued (Envoy
// StopAllIteration); in a chain, filters run in configured order (reference §1.3, §3.8).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, decodePairs, logLines, eventually, HOSTCALLS_WASM, newTag } from '../support/hostcalls.ts'

describe('proxy_on_request_headers', () => {
  it('gets the number of headers and end_of_stream', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1' })
    const tagA = newTag('get')
    const res = await send(gw, { headers: { 'x-test-tag': tagA, ...callHeaders({ call: 'proxy_get_header_map_pairs', map: 0 }) } })
    const count = decodePairs(report(res).bytes!).length
    const line = await eventually(() => logLines(gw, 'cb request_headers ').find((l) => l.endsWith(`tag=${tagA}`)), 'request_headers line')
    expect(line).toContain(` n=${count} `)
    expect(line).toContain(' eos=1 ')
    const tagB = newTag('post')
    await send(gw, { method: 'POST', body: 'x', headers: { 'x-test-tag': tagB } })
    const lineB = await eventually(() => logLines(gw, 'cb request_headers ').find((l) => l.endsWith(`tag=${tagB}`)), 'request_headers line')
    expect(lineB).toContain(' eos=0 ')
  })

  it('runs a chain in configured order on requests and in reverse on responses', async () => {
    const { gw } = await startHostcalls({
      config: 'log_callbacks=1 hdr=x-a',
      extraFilters: [{ name: 'second', source: HOSTCALLS_WASM, config: 'log_callbacks=1 hdr=x-b' }],
      routeFilters: ['hostcalls', 'second'],
    })
    const res = await send(gw, { headers: { 'x-a-tag': 'A', 'x-b-tag': 'B' } })
    expect(res.status).toBe(200)
    const order = logLines(gw, 'cb ').filter((l) => /^cb (request|response)_headers .* tag=(A|B)$/.test(l)).map((l) => l.split(' ')[1] + ':' + l.slice(-1))
    expect(order).toEqual(['request_headers:A', 'request_headers:B', 'response_headers:B', 'response_headers:A'])
  })

  it('Pause holds the request until something continues it', async () => {
    const { gw, upstream } = await startHostcalls({ config: 'tick=5' })
    const res = await send(gw, { headers: { 'x-test-flow': 'tick' } })
    expect(res.status).toBe(200)
    expect(res.json().headers['x-resumed-by']).toBe('tick')
    expect(upstream.requests).toBe(1)
  })
})
