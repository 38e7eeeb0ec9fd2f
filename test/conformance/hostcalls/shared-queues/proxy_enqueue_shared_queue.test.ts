// proxy_enqueue_shared_queue(queue_id, value): appends, then posts on_queue_ready(root, id) to the
// registering root context asynchronously; NotFound for an unknown id (reference §3.7).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, OOB_PTR, HUGE_LEN, expectEachOob, waitLine, logLines, eventually, callHeadersFor, HOSTCALLS_WASM } from '../../support/hostcalls.ts'

describe('proxy_enqueue_shared_queue', () => {
  it('delivers on_queue_ready to the registering root context, with the item dequeued there', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1 queue=work' })
    const reg = await waitLine(gw, 'queue registered id=')
    const id = Number(/id=(\d+)/.exec(reg)![1])
    expect(id).not.toBe(0)
    const res = await send(gw, { headers: callHeaders({ call: 'proxy_enqueue_shared_queue', id, value: 'item-1' }) })
    expect(report(res).status).toBe(Status.Ok)
    const ready = await eventually(() => logLines(gw, 'cb queue_ready ')[0], 'on_queue_ready')
    const root = /ctx=(\d+)/.exec(logLines(gw, 'cb configure ')[0]!)![1]
    expect(ready).toContain(`ctx=${root} `)
    expect(ready).toContain(` queue=${id} `)
    await waitLine(gw, 'queue item=' + Buffer.from('item-1').toString('hex'))
  })

  it('resumes a paused request from on_queue_ready', async () => {
    const { gw } = await startHostcalls({ config: 'queue=resume' })
    const res = await send(gw, { headers: { 'x-test-flow': 'queue' } })
    expect(res.status).toBe(200)
    expect(res.json().headers['x-resumed-by']).toBe('queue')
  })

  it('reaches the root context of another plugin of the same vm_id that registered the queue', async () => {
    const { gw } = await startHostcalls({
      vmId: 'queue-shared-vm',
      config: 'hdr=x-a queue=cross-q',
      extraFilters: [{ name: 'producer', source: HOSTCALLS_WASM, vmId: 'queue-shared-vm', config: 'hdr=x-b queue_nodrain=1' }],
      routeFilters: ['hostcalls', 'producer'],
    })
    await waitLine(gw, 'queue registered id=')
    const res = await send(gw, {
      headers: { ...callHeadersFor('x-b', { call: 'proxy_resolve_shared_queue', name: 'cross-q' }) },
    })
    const id = report(res, 1, 'x-b-hc-').u32!
    expect(report(res, 1, 'x-b-hc-').status).toBe(Status.Ok)
    await send(gw, { headers: callHeadersFor('x-b', { call: 'proxy_enqueue_shared_queue', id, value: 'from-producer' }) })
    await waitLine(gw, 'queue item=' + Buffer.from('from-producer').toString('hex'))
  })

  it('returns NotFound for an unknown queue id', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders({ call: 'proxy_enqueue_shared_queue', id: 987654, value: 'x' }) })
    expect(report(res).status).toBe(Status.NotFound)
  })

  it('rejects out-of-bounds values with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls({ config: 'queue=oob queue_nodrain=1' })
    const id = Number(/id=(\d+)/.exec(await waitLine(gw, 'queue registered id='))![1])
    await expectEachOob(gw, { call: 'proxy_enqueue_shared_queue', id, value: 'v' }, [
      [1, OOB_PTR],
      [2, HUGE_LEN],
    ])
  })
})
