// proxy_dequeue_shared_queue(queue_id, ret_value): FIFO; Empty when empty; NotFound for an
// unknown id (reference §1.4, §3.7).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, OOB_PTR, expectEachOob, expectAllocatorFailuresHandled, newTag } from '../../support/hostcalls.ts'

describe('proxy_dequeue_shared_queue', () => {
  it('returns items in order, then Empty', async () => {
    const { gw } = await startHostcalls({ config: 'queue_nodrain=1' })
    const name = newTag('dq')
    let res = await send(gw, { headers: callHeaders({ call: 'proxy_register_shared_queue', name }) })
    const id = report(res).u32!
    res = await send(gw, {
      headers: callHeaders({ call: 'proxy_enqueue_shared_queue', id, value: 'first' }, { call: 'proxy_enqueue_shared_queue', id, value: 'second' }),
    })
    res = await send(gw, {
      headers: callHeaders({ call: 'proxy_dequeue_shared_queue', id }, { call: 'proxy_dequeue_shared_queue', id }, { call: 'proxy_dequeue_shared_queue', id }),
    })
    expect(report(res, 1)).toMatchObject({ status: Status.Ok, text: 'first' })
    expect(report(res, 2)).toMatchObject({ status: Status.Ok, text: 'second' })
    expect(report(res, 3).status).toBe(Status.Empty)
  })

  it('returns NotFound for an unknown queue id', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders({ call: 'proxy_dequeue_shared_queue', id: 987654 }) })
    expect(report(res).status).toBe(Status.NotFound)
  })

  it('rejects out-of-bounds return pointers and survives a failing allocator', async () => {
    const { gw } = await startHostcalls({ config: 'queue_nodrain=1' })
    const res = await send(gw, { headers: callHeaders({ call: 'proxy_register_shared_queue', name: 'dq-oob' }) })
    const id = report(res).u32!
    const fill = { call: 'proxy_enqueue_shared_queue', id, value: 'v' }
    for (let i = 0; i < 6; i++) await send(gw, { headers: callHeaders(fill) })
    await expectEachOob(gw, { call: 'proxy_dequeue_shared_queue', id }, [
      [1, OOB_PTR],
      [2, OOB_PTR],
    ])
    await expectAllocatorFailuresHandled(gw, { call: 'proxy_dequeue_shared_queue', id })
  })
})
