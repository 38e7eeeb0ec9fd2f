// proxy_call_foreign_function(name, args, ret_results): an unknown function is NotFound
// (issue 3; cpp-host exports.cc call_foreign_function).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, OOB_PTR, HUGE_LEN, expectEachOob } from '../../support/hostcalls.ts'

const ff = (name: string, args = '') => ({ call: 'proxy_call_foreign_function', name, args })

describe('proxy_call_foreign_function', () => {
  it('returns NotFound for a function the host does not provide', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(ff('no_such_function', 'abc'), ff('')) })
    expect(res.status).toBe(200)
    expect(report(res, 1).status).toBe(Status.NotFound)
    expect(report(res, 2).status).toBe(Status.NotFound)
  })

  it('rejects out-of-bounds name and argument pointers with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls()
    await expectEachOob(gw, ff('no_such_function', 'abc'), [
      [0, OOB_PTR],
      [1, HUGE_LEN],
      [2, OOB_PTR],
      [3, HUGE_LEN],
    ])
  })
})
