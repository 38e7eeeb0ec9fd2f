// proxy_grpc_send(token ...): an unknown token is NotFound (envoy context.cc grpcSend looks the
// token up first).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, expectHealthy, expectEachOob, OOB_PTR, HUGE_LEN } from '../../support/hostcalls.ts'

describe('proxy_grpc_send', () => {
  it('returns NotFound for a token that was never issued', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders({ call: 'proxy_grpc_send', id: 4242, body: 'm' }) })
    expect(res.status).toBe(200)
    expect(report(res).status).toBe(Status.NotFound)
    await expectHealthy(gw)
  })

  it('rejects an out-of-bounds message with InvalidMemoryAccess (checked before the token)', async () => {
    const { gw } = await startHostcalls()
    await expectEachOob(gw, { call: 'proxy_grpc_send', id: 4242, body: 'm' }, [
      [1, OOB_PTR],
      [2, HUGE_LEN],
    ])
  })
})
