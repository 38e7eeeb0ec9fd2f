// proxy_register_shared_queue(name, ret_queue_id): creates the queue or reuses it (same id),
// binding delivery to the calling root context; ids are non-zero (reference §3.7).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, OOB_PTR, HUGE_LEN, expectEachOob, newTag } from '../../support/hostcalls.ts'

const reg = (name: string) => ({ call: 'proxy_register_shared_queue', name })

describe('proxy_register_shared_queue', () => {
  it('returns a non-zero id, the same one when registered again', async () => {
    const { gw } = await startHostcalls()
    const name = newTag('q')
    const res = await send(gw, { headers: callHeaders(reg(name), reg(name), reg(name + '-other')) })
    const [a, b, c] = [report(res, 1), report(res, 2), report(res, 3)]
    expect(a.status).toBe(Status.Ok)
    expect(a.u32).not.toBe(0)
    expect(b.u32).toBe(a.u32)
    expect(c.u32).not.toBe(a.u32)
  })

  it('rejects out-of-bounds pointers with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls()
    await expectEachOob(gw, reg('q-oob'), [
      [0, OOB_PTR],
      [1, HUGE_LEN],
      [2, OOB_PTR],
    ])
  })
})
