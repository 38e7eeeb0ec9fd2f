// wasi clock_time_get(clock_id, i64 precision, ret_u64): REALTIME=0, MONOTONIC=1; another clock
// is NOTSUP (58) (cpp-host exports.cc wasi_unstable_clock_time_get; reference §1.8).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report } from '../../support/hostcalls.ts'

describe('clock_time_get', () => {
  it('gives realtime in ns since the epoch and a monotonic clock that does not go back', async () => {
    const { gw } = await startHostcalls()
    const before = BigInt(Date.now()) * 1_000_000n
    const res = await send(gw, { headers: callHeaders({ call: 'clock_time_get', clock: 0 }, { call: 'clock_time_get', clock: 1 }, { call: 'clock_time_get', clock: 1, on: 'response_headers' }) })
    const rt = report(res, 1)
    expect(rt.status).toBe(0)
    expect(rt.u64! > before - 60_000_000_000n && rt.u64! < before + 60_000_000_000n).toBe(true)
    expect(report(res, 2).status).toBe(0)
    expect(report(res, 3).u64! >= report(res, 2).u64!).toBe(true)
  })

  it('rejects an unknown clock id with an errno, not a trap', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders({ call: 'clock_time_get', clock: 9 }) })
    expect(res.status).toBe(200)
    expect(report(res).status).toBe(58)
  })

  it('returns FAULT (21) for an out-of-bounds result pointer', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders({ call: 'clock_time_get', clock: 0, arg2: 0xfffffff0 }) })
    expect(res.status).toBe(200)
    expect(report(res).status).toBe(21)
  })
})
