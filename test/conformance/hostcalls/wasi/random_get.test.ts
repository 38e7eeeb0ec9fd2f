// wasi random_get(buf, len): fills the buffer; INVAL (28) above the host limit (cpp-host 64 KiB).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report } from '../../support/hostcalls.ts'

describe('random_get', () => {
  it('fills the buffer with random bytes (two calls differ)', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders({ call: 'random_get', len: 32 }, { call: 'random_get', len: 32 }) })
    const a = report(res, 1)
    const b = report(res, 2)
    expect(a.status).toBe(0)
    expect(a.bytes!.length).toBe(32)
    expect(a.bytes!.equals(b.bytes!)).toBe(false)
  })

  it('returns INVAL (28) for more than 64 KiB and FAULT (21) out of bounds', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders({ call: 'random_get', len: 70000 }, { call: 'random_get', len: 4, arg0: 0xfffffff0 }) })
    expect(report(res, 1).status).toBe(28)
    expect(report(res, 2).status).toBe(21)
  })
})
