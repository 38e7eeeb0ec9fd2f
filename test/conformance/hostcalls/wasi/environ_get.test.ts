// wasi environ_sizes_get / environ_get: only the filter's configured `env`, as "KEY=VALUE\0",
// never the host's environment (spec "Environment variables"; reference §1.8).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report } from '../../support/hostcalls.ts'

describe('environ_get and environ_sizes_get', () => {
  it('exposes exactly the configured variables', async () => {
    const { gw } = await startHostcalls({ env: { GREETING: 'hello', EMPTY: '' } })
    const res = await send(gw, { headers: callHeaders({ call: 'environ_sizes_get' }, { call: 'environ_get' }) })
    expect(report(res, 1)).toMatchObject({ status: 0, u32: 2, u32b: 'GREETING=hello\0EMPTY=\0'.length })
    const r = report(res, 2)
    expect(r.status).toBe(0)
    const entries = r.bytes!.toString('utf8').split('\0').filter(Boolean).sort()
    expect(entries).toEqual(['EMPTY=', 'GREETING=hello'])
  })

  it('exposes nothing of the host environment by default', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders({ call: 'environ_sizes_get' }) })
    expect(report(res)).toMatchObject({ status: 0, u32: 0, u32b: 0 })
  })

  it('returns FAULT (21) for out-of-bounds result pointers', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders({ call: 'environ_sizes_get', arg0: 0xfffffff0 }, { call: 'environ_sizes_get', arg1: 0xfffffff0 }) })
    expect(report(res, 1).status).toBe(21)
    expect(report(res, 2).status).toBe(21)
  })
})
