// proxy_set_effective_context(context_id): following host calls act on that context; an unknown
// id is BadArgument (reference §1.4). The usual use: resuming a paused request from a root
// callback (tick, http call response, queue), tested here through the filter's `flow=tick`.
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status } from '../../support/hostcalls.ts'

describe('proxy_set_effective_context', () => {
  it('returns BadArgument for a context id that does not exist', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders({ call: 'proxy_set_effective_context', ctx: 999999 }) })
    expect(res.status).toBe(200)
    expect(report(res).status).toBe(Status.BadArgument)
  })

  it('accepts the stream\'s own id and its root context id', async () => {
    const { gw } = await startHostcalls()
    const first = await send(gw, { headers: { 'x-test-tag': 'ids' } })
    const rootId = first.header('x-hc-root')!
    const res = await send(gw, { headers: callHeaders({ call: 'proxy_set_effective_context', ctx: rootId }) })
    expect(report(res).status).toBe(Status.Ok)
  })

  it('lets on_tick act on a paused request: headers added there reach the upstream, then it resumes', async () => {
    const { gw } = await startHostcalls({ config: 'tick=5' })
    const res = await send(gw, { headers: { 'x-test-flow': 'tick' } })
    expect(res.status).toBe(200)
    expect(res.json().headers['x-resumed-by']).toBe('tick')
  })
})
