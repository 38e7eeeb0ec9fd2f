// proxy_grpc_call(upstream, service, method, initial_metadata, message, timeout_ms, ret_token):
// 12 parameters (spec 0.2.1). Either implemented or answered with a status SDKs know.
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, OOB_PTR, HUGE_LEN, expectEachOob, expectHealthy } from '../../support/hostcalls.ts'
import { SDK_KNOWN_STATUSES } from './grpc-support.ts'

const spec = { call: 'proxy_grpc_call', cluster: 'callout', service: 'test.Svc', method: 'Do', body: 'msg' }

describe('proxy_grpc_call', () => {
  it('links with the spec signature and returns a status SDKs know', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(spec, { ...spec, cluster: 'no-such-cluster' }) })
    expect(res.status).toBe(200)
    expect(SDK_KNOWN_STATUSES).toContain(report(res, 1).status)
    expect(SDK_KNOWN_STATUSES).toContain(report(res, 2).status)
    expect(report(res, 2).status).not.toBe(Status.Ok)
    await expectHealthy(gw)
  })

  it('rejects out-of-bounds pointers with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls()
    await expectEachOob(gw, spec, [
      [0, OOB_PTR],
      [1, HUGE_LEN],
      [2, OOB_PTR],
      [4, OOB_PTR],
      [8, OOB_PTR],
      [9, HUGE_LEN],
    ])
  })
})
