// proxy_record_metric(metric_id, u64 value): Envoy adds to a counter, sets a gauge, records a
// histogram sample (reference §1.4).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, newTag, promText } from '../../support/hostcalls.ts'
import { MetricType, define, rec, getm } from './metric-support.ts'

describe('proxy_record_metric', () => {
  it('adds to a counter and sets a gauge', async () => {
    const { gw } = await startHostcalls()
    const t = newTag('rec')
    const res0 = await send(gw, { headers: callHeaders(define(MetricType.Counter, `${t}_c`), define(MetricType.Gauge, `${t}_g`)) })
    const c = report(res0, 1).u32!
    const g = report(res0, 2).u32!
    const res = await send(gw, { headers: callHeaders(rec(c, 4), rec(c, 6), rec(g, 42), rec(g, 17)) })
    for (let n = 1; n <= 4; n++) expect(report(res, n).status).toBe(Status.Ok)
    const res2 = await send(gw, { headers: callHeaders(getm(c), getm(g)) })
    expect(report(res2, 1).u64).toBe(10n)
    expect(report(res2, 2).u64).toBe(17n)
  })

  it('records histogram samples that show on /stats/prometheus', async () => {
    const { gw } = await startHostcalls()
    const name = newTag('hist')
    const id = report(await send(gw, { headers: callHeaders(define(MetricType.Histogram, name)) })).u32!
    const res = await send(gw, { headers: callHeaders(rec(id, 5), rec(id, 500)) })
    expect(report(res, 1).status).toBe(Status.Ok)
    expect(report(res, 2).status).toBe(Status.Ok)
    const text = await promText(gw)
    expect(text).toMatch(new RegExp(`${name}\\S*_count\\S*\\s+2(\\s|$)`, 'm'))
  })

  it('returns NotFound for an unknown metric id', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(rec(0x7ffffff0, 1)) })
    expect(report(res).status).toBe(Status.NotFound)
  })
})
