// proxy_get_current_time_nanoseconds(ret_u64_ptr): wall-clock time in ns since the epoch, as a
// little-endian u64 (deprecated for WASI clock_time_get; may be approximate, reference §1.4).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, OOB_PTR, expectEachOob } from '../../support/hostcalls.ts'

const spec = { call: 'proxy_get_current_time_nanoseconds' }

describe('proxy_get_current_time_nanoseconds', () => {
  it('writes the wall-clock time in nanoseconds as a u64', async () => {
    const { gw } = await startHostcalls()
    const before = BigInt(Date.now()) * 1_000_000n
    const res = await send(gw, { headers: callHeaders(spec, { ...spec, on: 'response_headers' }) })
    const after = BigInt(Date.now()) * 1_000_000n
    const t1 = report(res, 1)
    const t2 = report(res, 2)
    expect(t1.status).toBe(Status.Ok)
    const minute = 60_000_000_000n
    expect(t1.u64! > before - minute && t1.u64! < after + minute).toBe(true)
    expect(t2.u64! >= t1.u64!).toBe(true)
  })

  it('rejects an out-of-bounds return pointer with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls()
    await expectEachOob(gw, spec, [[0, OOB_PTR]])
  })
})
