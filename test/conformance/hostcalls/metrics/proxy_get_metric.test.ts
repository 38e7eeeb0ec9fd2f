// proxy_get_metric(metric_id, ret_u64_ptr): the current value; a histogram is BadArgument; an
// unknown id NotFound (reference §1.4).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, OOB_PTR, expectEachOob, newTag } from '../../support/hostcalls.ts'
import { MetricType, define, inc, getm } from './metric-support.ts'

describe('proxy_get_metric', () => {
  it('reads a counter across requests (one instance keeps its metrics)', async () => {
    const { gw } = await startHostcalls()
    const id = report(await send(gw, { headers: callHeaders(define(MetricType.Counter, newTag('gm'))) })).u32!
    await send(gw, { headers: callHeaders(inc(id, 2)) })
    await send(gw, { headers: callHeaders(inc(id, 3)) })
    const res = await send(gw, { headers: callHeaders(getm(id)) })
    expect(report(res)).toMatchObject({ status: Status.Ok, u64: 5n })
  })

  it('returns BadArgument for a histogram and NotFound for an unknown id', async () => {
    const { gw } = await startHostcalls()
    const id = report(await send(gw, { headers: callHeaders(define(MetricType.Histogram, newTag('gh'))) })).u32!
    const res = await send(gw, { headers: callHeaders(getm(id), getm(0x7ffffff0)) })
    expect(report(res, 1).status).toBe(Status.BadArgument)
    expect(report(res, 2).status).toBe(Status.NotFound)
  })

  it('rejects an out-of-bounds return pointer with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls()
    const id = report(await send(gw, { headers: callHeaders(define(MetricType.Counter, newTag('goob'))) })).u32!
    await expectEachOob(gw, getm(id), [[1, OOB_PTR]])
  })
})
