// proxy_get_shared_data(key, ret_value, ret_cas): NotFound for a missing key; value and a
// non-zero cas otherwise; an empty value comes back as (0, 0) (reference §3.6).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, OOB_PTR, HUGE_LEN, expectEachOob, expectAllocatorFailuresHandled, newTag } from '../../support/hostcalls.ts'

const get = (key: string) => ({ call: 'proxy_get_shared_data', key })
const set = (key: string, value: string, cas = 0) => ({ call: 'proxy_set_shared_data', key, value, cas })

describe('proxy_get_shared_data', () => {
  it('returns NotFound for a key never set', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(get(newTag('missing'))) })
    expect(report(res).status).toBe(Status.NotFound)
  })

  it('returns the value and a non-zero cas, across requests', async () => {
    const { gw } = await startHostcalls()
    const key = newTag('k')
    await send(gw, { headers: callHeaders(set(key, 'stored-value')) })
    const res = await send(gw, { headers: callHeaders(get(key)) })
    const r = report(res)
    expect(r).toMatchObject({ status: Status.Ok, text: 'stored-value' })
    expect(r.u32b).not.toBe(0)
  })

  it('returns an empty value as Ok with size 0', async () => {
    const { gw } = await startHostcalls()
    const key = newTag('empty')
    const res = await send(gw, { headers: callHeaders(set(key, ''), get(key)) })
    expect(report(res, 2)).toMatchObject({ status: Status.Ok, size: 0 })
  })

  it('rejects out-of-bounds pointers with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls()
    await send(gw, { headers: callHeaders(set('oob-key', 'v')) })
    await expectEachOob(gw, get('oob-key'), [
      [0, OOB_PTR],
      [1, HUGE_LEN],
      [2, OOB_PTR],
      [3, OOB_PTR],
      [4, OOB_PTR],
    ])
  })

  it('fails cleanly when the guest allocator returns 0 or garbage', async () => {
    const { gw } = await startHostcalls()
    await send(gw, { headers: callHeaders(set('alloc-key', 'v')) })
    await expectAllocatorFailuresHandled(gw, get('alloc-key'))
  })
})
