// proxy_set_tick_period_milliseconds(period): a timer per root context that calls proxy_on_tick
// and re-arms; 0 disables it (reference §1.4, §3.5).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, logLines, eventually } from '../../support/hostcalls.ts'

const ticks = (gw: Parameters<typeof logLines>[0]) => logLines(gw, 'cb tick ctx=').length

describe('proxy_set_tick_period_milliseconds', () => {
  it('makes proxy_on_tick fire repeatedly on the root context when set in on_configure', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1 tick=5' })
    await eventually(() => ticks(gw) >= 3, 'three ticks')
    const rootLine = logLines(gw, 'cb configure ctx=')[0]!
    const rootId = /ctx=(\d+)/.exec(rootLine)![1]
    for (const l of logLines(gw, 'cb tick ctx=')) expect(l).toContain(`ctx=${rootId} `)
  })

  it('can be armed from a request (the stream acts for its root context)', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1' })
    expect(ticks(gw)).toBe(0)
    const res = await send(gw, { headers: callHeaders({ call: 'proxy_set_tick_period_milliseconds', ms: 5 }) })
    expect(report(res).status).toBe(Status.Ok)
    await eventually(() => ticks(gw) >= 2, 'ticks after arming from a request')
  })

  it('stops ticking after period 0 is set from on_tick', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1 tick=5 call=proxy_set_tick_period_milliseconds on=tick ms=0' })
    await eventually(() => logLines(gw, 'step=tick call=proxy_set_tick_period_milliseconds status=0').length >= 1, 'the disarming call')
    // Re-arm from a request and see ticks come back: proves the timer was re-armable, and the
    // disarm happened (each tick disarms again, so ticks arrive one per arming).
    const before = ticks(gw)
    const res = await send(gw, { headers: callHeaders({ call: 'proxy_set_tick_period_milliseconds', ms: 5 }) })
    expect(report(res).status).toBe(Status.Ok)
    await eventually(() => ticks(gw) === before + 1, 'exactly one more tick after re-arming')
  })
})
