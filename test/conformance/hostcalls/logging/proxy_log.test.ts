// proxy_log(level, msg_ptr, msg_size): levels TRACE=0 .. CRITICAL=5; above 5 is BadArgument
// (reference §1.4). The message reaches the gateway log with the filter's name, gated by the
// gateway's log level.
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, OOB_PTR, HUGE_LEN, expectEachOob, logRecords, eventually, newTag } from '../../support/hostcalls.ts'

const log = (level: number, msg: string) => ({ call: 'proxy_log', level, msg })

describe('proxy_log', () => {
  it('writes each level to the gateway log with the filter name, in increasing severity', async () => {
    const { gw } = await startHostcalls({ logLevel: 'trace' })
    const tag = newTag('log')
    const specs = [0, 1, 2, 3].map((l) => log(l, `${tag}-level-${l}`))
    const res = await send(gw, { headers: callHeaders(...specs) })
    for (let n = 1; n <= 4; n++) expect(report(res, n).status).toBe(Status.Ok)
    const res2 = await send(gw, { headers: callHeaders(log(4, `${tag}-level-4`), log(5, `${tag}-level-5`)) })
    expect(report(res2, 1).status).toBe(Status.Ok)
    expect(report(res2, 2).status).toBe(Status.Ok)
    const recs = await eventually(() => {
      const r = [0, 1, 2, 3, 4, 5].map((l) => logRecords(gw, `${tag}-level-${l}`)[0])
      return r.every(Boolean) ? r : undefined
    }, 'one record per level')
    for (const r of recs) expect(JSON.stringify(r)).toContain('hostcalls')
    const levels = recs.map((r) => r!.level)
    const rank = (v: unknown) => (typeof v === 'number' ? v : ['trace', 'debug', 'info', 'warn', 'error', 'fatal'].indexOf(String(v)))
    for (let i = 1; i < 5; i++) expect(rank(levels[i]), `level ${i} above level ${i - 1}`).toBeGreaterThan(rank(levels[i - 1]))
    expect(rank(levels[5])).toBeGreaterThanOrEqual(rank(levels[4]))
  })

  it('returns BadArgument for a level above CRITICAL', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(log(6, 'too-high'), log(0xffffffff, 'way-too-high')) })
    expect(report(res, 1).status).toBe(Status.BadArgument)
    expect(report(res, 2).status).toBe(Status.BadArgument)
  })

  it('drops messages below the gateway log level (still Ok)', async () => {
    const { gw } = await startHostcalls({ logLevel: 'warn' })
    const tag = newTag('gated')
    const res = await send(gw, { headers: callHeaders(log(2, `${tag}-info`), log(3, `${tag}-warn`)) })
    expect(report(res, 1).status).toBe(Status.Ok)
    expect(report(res, 2).status).toBe(Status.Ok)
    await eventually(() => logRecords(gw, `${tag}-warn`).length > 0, 'the warn record')
    expect(logRecords(gw, `${tag}-info`)).toHaveLength(0)
  })

  it('rejects out-of-bounds messages with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls()
    await expectEachOob(gw, log(2, 'x'), [
      [1, OOB_PTR],
      [2, HUGE_LEN],
    ])
  })
})
