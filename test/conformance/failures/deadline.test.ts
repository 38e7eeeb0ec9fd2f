// An infinite loop in a callback must not take the proxy down: the callback's budget runs out,
// WG_ERR_FILTER_DEADLINE, 503 for that request, and the proxy keeps serving (DESIGN "Filter
// failures"; STYLE §4 "Filter loops").
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, expectHealthy, eventually, logRecords } from '../support/hostcalls.ts'

describe('infinite loops', () => {
  for (const step of ['request_headers', 'response_headers'] as const) {
    it(`a loop in ${step}: 503 WG_ERR_FILTER_DEADLINE, then the next request succeeds`, async () => {
      const { gw } = await startHostcalls()
      const res = await send(gw, { headers: { 'x-test-loop': step } })
      expect(res.status).toBe(503)
      expect(res.json().code).toBe('WG_ERR_FILTER_DEADLINE')
      await expectHealthy(gw)
    })
  }

  it('a loop with failurePolicy open skips the filter', async () => {
    const { gw } = await startHostcalls({ failurePolicy: 'open' })
    const res = await send(gw, { headers: { 'x-test-loop': 'request_headers' } })
    expect(res.status).toBe(200)
    await expectHealthy(gw)
  })

  it('a loop in on_tick (a root callback) does not take the proxy down', async () => {
    const { gw } = await startHostcalls({ config: 'tick=5 loop_once=tick' })
    await eventually(() => logRecords(gw, 'WG_ERR_FILTER_DEADLINE').length > 0, 'the deadline log record for on_tick')
    await expectHealthy(gw)
  })
})
