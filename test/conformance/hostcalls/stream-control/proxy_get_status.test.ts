// proxy_get_status(ret_code_ptr, ret_msg_ptr_ptr, ret_msg_size_ptr): the status of the last
// callout. When a callout fails (reset after its response started, or over the response buffer
// limit) Envoy delivers on_http_call_response with 0 headers and get_status gives a non-Ok code
// with a message (reference §3.4). Connect failures and timeouts are NOT failures in Envoy: its
// router answers them 503/504 (see http-calls/proxy_http_call.test.ts).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, OOB_PTR, expectEachOob, pairsSpec } from '../../support/hostcalls.ts'

describe('proxy_get_status', () => {
  it('reports a callout cut after its headers in on_http_call_response (0 headers, non-Ok code)', async () => {
    const { gw } = await startHostcalls({
      upstreamHandler: (req, res, body) => {
        if (req.url === '/cut') {
          res.writeHead(200, { 'content-length': '1000' })
          res.write('partial', () => res.destroy())
          return
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ headers: req.headers, body: body.toString() }))
      },
    })
    const cut = pairsSpec([[':method', 'GET'], [':path', '/cut'], [':authority', 'callout']])
    const res = await send(gw, { headers: { 'x-test-flow': 'callout', 'x-test-cluster': 'callout', 'x-test-callout_headers': cut } })
    expect(res.status).toBe(200)
    const failed = String(res.json().headers['x-callout-failed'] ?? '')
    expect(failed).toMatch(/^\d+/)
    expect(Number(failed.split(' ')[0])).not.toBe(Status.Ok)
  })

  it('is Ok with no callout (code and message written)', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders({ call: 'proxy_get_status' }) })
    expect(report(res).status).toBe(Status.Ok)
  })

  it('rejects out-of-bounds return pointers with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls()
    await expectEachOob(gw, { call: 'proxy_get_status' }, [
      [0, OOB_PTR],
      [1, OOB_PTR],
      [2, OOB_PTR],
    ])
  })
})
