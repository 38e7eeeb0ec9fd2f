// proxy_send_local_response(status, details_ptr, details_size, body_ptr, body_size, headers_ptr,
// headers_size, grpc_status): answers from the proxy, deferred until the callback returns; header
// keys lowercased; grpc_status -1 means none; valid until response headers went out (reference
// §1.4, §3.8).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, OOB_PTR, HUGE_LEN, pairsSpec, expectEachOob, expectHealthy, logRecords } from '../../support/hostcalls.ts'

const reply = (code: number, body: string, headers: Array<[string, string]> = [], on = 'request_headers', extra: Record<string, string | number> = {}) => ({
  call: 'proxy_send_local_response', code, body, headers: pairsSpec(headers), on, ...extra,
})

describe('proxy_send_local_response', () => {
  it('answers from request_headers with status, body and headers; the upstream is not called', async () => {
    const { gw, upstream } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(reply(403, 'denied by filter', [['X-Deny-Reason', 'test'], ['content-type', 'text/plain']])) })
    expect(res.status).toBe(403)
    expect(res.text).toBe('denied by filter')
    expect(res.header('x-deny-reason')).toBe('test')
    expect(upstream.requests).toBe(0)
  })

  it('answers from request_body after buffering the body', async () => {
    const { gw, upstream } = await startHostcalls()
    const res = await send(gw, { method: 'POST', body: 'payload', headers: { 'x-test-hold': 'request_body', ...callHeaders({ ...reply(413, 'too much', [], 'request_body'), eos_only: 1 }) } })
    expect(res.status).toBe(413)
    expect(res.text).toBe('too much')
    expect(upstream.requests).toBe(0)
  })

  it('replaces the upstream response from response_headers', async () => {
    const { gw, upstream } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(reply(418, 'teapot', [['x-local', '1']], 'response_headers')) })
    expect(res.status).toBe(418)
    expect(res.text).toBe('teapot')
    expect(res.header('x-local')).toBe('1')
    expect(upstream.requests).toBe(1)
  })

  it('sends an empty body with an empty header map', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(reply(204, '')) })
    expect(res.status).toBe(204)
    expect(res.text).toBe('')
  })

  it('survives status codes no HTTP response can carry (0, 42, 1000, 2^32-1)', async () => {
    const { gw } = await startHostcalls()
    for (const code of [0, 42, 1000, 0xffffffff]) {
      try {
        await send(gw, { headers: callHeaders(reply(code, 'x')) })
      } catch {
        // refusing or resetting is fine; throwing inside the gateway is not
      }
    }
    await expectHealthy(gw)
    expect(logRecords(gw, 'WG_ERR_ABI_HOSTCALL')).toEqual([])
  })

  it('rejects out-of-bounds details, body and headers with InvalidMemoryAccess; the request then proceeds', async () => {
    const { gw } = await startHostcalls()
    await expectEachOob(gw, reply(403, 'x', [['a', 'b']]), [
      [1, OOB_PTR],
      [2, HUGE_LEN],
      [3, OOB_PTR],
      [4, HUGE_LEN],
      [5, OOB_PTR],
      [6, HUGE_LEN],
    ])
  })

  it('is Ok from a root context and changes nothing (Envoy: no decoder callbacks there)', async () => {
    const { gw } = await startHostcalls({ config: 'call=proxy_send_local_response on=configure code=500' })
    const res = await send(gw)
    expect(res.status).toBe(200)
    const { waitLine } = await import('../../support/hostcalls.ts')
    await waitLine(gw, 'step=configure call=proxy_send_local_response ')
  })

  it('answers with the status given even when the callback returns Continue', async () => {
    const { gw, upstream } = await startHostcalls()
    const res = await send(gw, { headers: { 'x-test-return': 'request_headers=0', ...callHeaders(reply(401, 'no')) } })
    expect(res.status).toBe(401)
    expect(upstream.requests).toBe(0)
    if (res.header('x-hc-1') !== undefined) expect(report(res).status).toBe(Status.Ok)
  })
})
