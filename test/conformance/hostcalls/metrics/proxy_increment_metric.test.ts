// proxy_increment_metric(metric_id, i64 delta): a counter takes delta > 0 only (else
// BadArgument); a gauge goes up and down; a histogram is BadArgument; unknown id NotFound
// (reference §1.4; envoy context.cc incrementMetric).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, newTag, promText } from '../../support/hostcalls.ts'
import { MetricType, define, inc, getm, neg } from './metric-support.ts'

describe('proxy_increment_metric', () => {
  it('adds positive deltas to a counter and rejects zero and negative ones', async () => {
    const { gw } = await startHostcalls()
    const name = newTag('cnt')
    const id = report(await send(gw, { headers: callHeaders(define(MetricType.Counter, name)) })).u32!
    const res = await send(gw, { headers: callHeaders(inc(id, 5), inc(id, 0), inc(id, neg(1)), getm(id)) })
    expect(report(res, 1).status).toBe(Status.Ok)
    expect(report(res, 2).status).toBe(Status.BadArgument)
    expect(report(res, 3).status).toBe(Status.BadArgument)
    expect(report(res, 4)).toMatchObject({ status: Status.Ok, u64: 5n })
    expect(await promText(gw)).toMatch(new RegExp(`${name}\\S*\\s+5(\\s|$)`, 'm'))
  })

  it('moves a gauge up and down', async () => {
    const { gw } = await startHostcalls()
    const id = report(await send(gw, { headers: callHeaders(define(MetricType.Gauge, newTag('g'))) })).u32!
    const res = await send(gw, { headers: callHeaders(inc(id, 10), inc(id, neg(3)), getm(id)) })
    expect(report(res, 1).status).toBe(Status.Ok)
    expect(report(res, 2).status).toBe(Status.Ok)
    expect(report(res, 3).u64).toBe(7n)
  })

  it('returns BadArgument for a histogram and NotFound for an unknown id', async () => {
    const { gw } = await startHostcalls()
    const id = report(await send(gw, { headers: callHeaders(define(MetricType.Histogram, newTag('h'))) })).u32!
    const res = await send(gw, { headers: callHeaders(inc(id, 1), inc(0x7ffffff0, 1)) })
    expect(report(res, 1).status).toBe(Status.BadArgument)
    expect(report(res, 2).status).toBe(Status.NotFound)
  })
})
