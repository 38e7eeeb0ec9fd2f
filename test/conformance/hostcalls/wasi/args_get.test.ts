// wasi args_sizes_get / args_get: always 0 arguments (reference §1.8).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report } from '../../support/hostcalls.ts'

describe('args_get and args_sizes_get', () => {
  it('reports no arguments', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders({ call: 'args_sizes_get' }, { call: 'args_get' }) })
    expect(report(res, 1)).toMatchObject({ status: 0, u32: 0, u32b: 0 })
    expect(report(res, 2).status).toBe(0)
  })

  it('returns FAULT (21) for an out-of-bounds result pointer', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders({ call: 'args_sizes_get', arg0: 0xfffffff0 }) })
    expect(report(res).status).toBe(21)
  })
})
