// proxy_on_delete(ctx): the last callback of every stream context (the guest drops its state),
// and of the root context at shutdown (reference §1.3, §3.1).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, logLines, eventually, newTag } from '../support/hostcalls.ts'
import { endLines, names } from '../support/end-of-request.ts'

describe('proxy_on_delete', () => {
  it('is the last callback of a request, exactly once', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1' })
    const tag = newTag('del')
    await send(gw, { headers: { 'x-test-tag': tag } })
    const n = names(await endLines(gw, tag))
    expect(n.at(-1)).toBe('delete')
    expect(n.filter((x) => x === 'delete')).toHaveLength(1)
    const all = logLines(gw, 'cb ').filter((l) => l.endsWith(`tag=${tag}`))
    expect(all.at(-1)).toMatch(/^cb delete /)
  })

  it('is called for the root context after its on_done at shutdown', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1' })
    const root = /ctx=(\d+)/.exec(logLines(gw, 'cb configure ')[0]!)![1]
    await gw.close()
    const lines = await eventually(() => {
      const l = logLines(gw, 'cb ').filter((x) => x.startsWith(`cb done ctx=${root} `) || x.startsWith(`cb delete ctx=${root} `))
      return l.length >= 2 ? l : undefined
    }, 'on_done then on_delete for the root context')
    expect(lines.map((l) => l.split(' ')[1])).toEqual(['done', 'delete'])
  })
})
