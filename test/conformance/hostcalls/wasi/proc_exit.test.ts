// wasi proc_exit(code): ends the guest like a trap (issue 3); the request fails per the filter's
// failure policy and the proxy keeps serving.
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, expectHealthy } from '../../support/hostcalls.ts'

describe('proc_exit', () => {
  it('fails the request with 503 {code, requestId} and a fresh instance serves the next one', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: { 'x-test-procexit': 'request_headers' } })
    expect(res.status).toBe(503)
    const body = res.json()
    expect(body.code).toBe('WG_ERR_FILTER_TRAPPED')
    expect(typeof body.requestId).toBe('string')
    await expectHealthy(gw)
  })

  it('does not return to the guest (the call traps instead of continuing)', async () => {
    const { gw } = await startHostcalls({ failurePolicy: 'open' })
    const res = await send(gw, { headers: { 'x-test-call': 'proc_exit', 'x-test-code': '3' } })
    expect(res.status).toBe(200)
    expect(res.header('x-hc-1')).toBeUndefined()
  })
})
