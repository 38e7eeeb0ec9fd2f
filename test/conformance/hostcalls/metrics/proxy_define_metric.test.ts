// proxy_define_metric(type, name, ret_id): COUNTER=0, GAUGE=1, HISTOGRAM=2; above 2 BadArgument;
// cpp-host ids carry the type in the low 2 bits; the same name gives the same id (reference
// §1.4). Defined metrics appear on the admin /stats/prometheus.
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, OOB_PTR, HUGE_LEN, expectEachOob, newTag, promText } from '../../support/hostcalls.ts'
import { MetricType, define } from './metric-support.ts'

describe('proxy_define_metric', () => {
  it('defines each type with a non-zero id whose low 2 bits are the type', async () => {
    const { gw } = await startHostcalls()
    const t = newTag('m')
    const res = await send(gw, { headers: callHeaders(define(MetricType.Counter, `${t}_c`), define(MetricType.Gauge, `${t}_g`), define(MetricType.Histogram, `${t}_h`), define(MetricType.Counter, `${t}_c`)) })
    for (const [n, type] of [[1, 0], [2, 1], [3, 2]] as const) {
      const r = report(res, n)
      expect(r.status).toBe(Status.Ok)
      expect(r.u32! & 3).toBe(type)
    }
    expect(report(res, 4).u32).toBe(report(res, 1).u32)
  })

  it('returns BadArgument for an unknown metric type', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(define(3, 'bad_type'), define(99, 'bad_type2')) })
    expect(report(res, 1).status).toBe(Status.BadArgument)
    expect(report(res, 2).status).toBe(Status.BadArgument)
  })

  it('shows defined metrics on /stats/prometheus', async () => {
    const { gw } = await startHostcalls()
    const name = newTag('promvisible')
    await send(gw, { headers: callHeaders(define(MetricType.Counter, name)) })
    expect(await promText(gw)).toContain(name)
  })

  it('rejects out-of-bounds pointers with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls()
    await expectEachOob(gw, define(0, 'oob_metric'), [
      [1, OOB_PTR],
      [2, HUGE_LEN],
      [3, OOB_PTR],
    ])
  })
})
