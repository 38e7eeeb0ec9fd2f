// proxy_resolve_shared_queue(vm_id, name, ret_queue_id): the id of a queue registered under
// (vm_id, name); an empty vm_id means the caller's own; NotFound when absent (reference §3.7).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, OOB_PTR, HUGE_LEN, expectEachOob, newTag } from '../../support/hostcalls.ts'

describe('proxy_resolve_shared_queue', () => {
  it('finds a queue registered by the same vm, by empty vm_id and by explicit vm_id', async () => {
    const { gw } = await startHostcalls({ vmId: 'queue-vm' })
    const name = newTag('rq')
    const res = await send(gw, {
      headers: callHeaders({ call: 'proxy_register_shared_queue', name }, { call: 'proxy_resolve_shared_queue', name }, { call: 'proxy_resolve_shared_queue', vm: 'queue-vm', name }),
    })
    const id = report(res, 1).u32
    expect(report(res, 2)).toMatchObject({ status: Status.Ok, u32: id })
    expect(report(res, 3)).toMatchObject({ status: Status.Ok, u32: id })
  })

  it('returns NotFound for a queue nobody registered, or registered under another vm_id', async () => {
    const { gw } = await startHostcalls({ vmId: 'queue-vm' })
    const name = newTag('rq')
    const res = await send(gw, {
      headers: callHeaders({ call: 'proxy_resolve_shared_queue', name: 'never-registered' }, { call: 'proxy_register_shared_queue', name }, { call: 'proxy_resolve_shared_queue', vm: 'another-vm', name }),
    })
    expect(report(res, 1).status).toBe(Status.NotFound)
    expect(report(res, 3).status).toBe(Status.NotFound)
  })

  it('rejects out-of-bounds pointers with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls()
    await send(gw, { headers: callHeaders({ call: 'proxy_register_shared_queue', name: 'q-oob' }) })
    await expectEachOob(gw, { call: 'proxy_resolve_shared_queue', name: 'q-oob' }, [
      [0, OOB_PTR],
      [1, HUGE_LEN],
      [2, OOB_PTR],
      [3, HUGE_LEN],
      [4, OOB_PTR],
    ])
  })
})
