// proxy_on_context_create(ctx, parent): parent 0 creates the root context (before vm_start);
// each request gets a new stream context whose parent is the root; ids start at 1 and are never
// reused (cpp-host next_context_id_; reference §1.3, §1.9 #6).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, logLines, eventually } from '../support/hostcalls.ts'

describe('proxy_on_context_create', () => {
  it('creates a root context, then one stream context per request with the root as parent', async () => {
    const { gw } = await startHostcalls({ vmConfig: 'log_callbacks=1', config: 'log_callbacks=1' })
    for (let i = 0; i < 3; i++) expect((await send(gw)).status).toBe(200)
    // on_context_create(root, 0) runs before the filter knows it should log; vm_start reports it.
    const start = logLines(gw, 'cb vm_start ')
    expect(start).toHaveLength(1)
    expect(start[0]).toContain(' root_created=1 ')
    const rootId = Number(/ctx=(\d+)/.exec(start[0]!)![1])
    expect(rootId).toBeGreaterThanOrEqual(1)
    const streams = await eventually(() => {
      const l = logLines(gw, 'cb context_create ').filter((x) => x.includes(` parent=${rootId} `))
      return l.length >= 3 ? l : undefined
    }, 'three stream contexts')
    const ids = streams.map((l) => Number(/ctx=(\d+)/.exec(l)![1]))
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(id).not.toBe(rootId)
  })

  it('creates the root context before calling vm_start on it', async () => {
    const { gw } = await startHostcalls({ vmConfig: 'log_callbacks=1' })
    const start = logLines(gw, 'cb vm_start ')
    expect(start).toHaveLength(1)
    expect(start[0]).toContain(' root_created=1 ')
  })
})
