// proxy_on_queue_ready(root_ctx, queue_id): delivered asynchronously to the root context that
// registered the queue, after an enqueue (reference §3.7).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, logLines, eventually, waitLine } from '../support/hostcalls.ts'

describe('proxy_on_queue_ready', () => {
  it('is called on the registering root context with the queue id, once per enqueue', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1 queue=ready-q' })
    const id = Number(/id=(\d+)/.exec(await waitLine(gw, 'queue registered id='))![1])
    const root = /ctx=(\d+)/.exec(logLines(gw, 'cb configure ')[0]!)![1]
    await send(gw, { headers: callHeaders({ call: 'proxy_enqueue_shared_queue', id, value: 'a' }, { call: 'proxy_enqueue_shared_queue', id, value: 'b' }) })
    const lines = await eventually(() => {
      const l = logLines(gw, 'cb queue_ready ')
      return l.length >= 2 ? l : undefined
    }, 'two on_queue_ready calls')
    for (const l of lines) expect(l).toMatch(new RegExp(`^cb queue_ready ctx=${root} queue=${id} `))
  })
})
