// proxy_on_tick(root_ctx): called on the root context every tick period (reference §3.5).
import { describe, expect, it } from 'vitest'
import { startHostcalls, logLines, eventually } from '../support/hostcalls.ts'

describe('proxy_on_tick', () => {
  it('is called repeatedly on the root context, never on a stream context', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1 tick=5' })
    const ticks = await eventually(() => {
      const l = logLines(gw, 'cb tick ')
      return l.length >= 3 ? l : undefined
    }, 'three ticks')
    const root = /ctx=(\d+)/.exec(logLines(gw, 'cb configure ')[0]!)![1]
    for (const t of ticks) expect(t).toMatch(new RegExp(`^cb tick ctx=${root} `))
  })
})
