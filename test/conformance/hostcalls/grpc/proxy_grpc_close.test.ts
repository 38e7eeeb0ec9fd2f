// proxy_grpc_close(token ...): an unknown token is NotFound (envoy context.cc grpcClose looks the
// token up first).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, expectHealthy } from '../../support/hostcalls.ts'

describe('proxy_grpc_close', () => {
  it('returns NotFound for a token that was never issued', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders({ call: 'proxy_grpc_close', id: 4242, body: 'm' }) })
    expect(res.status).toBe(200)
    expect(report(res).status).toBe(Status.NotFound)
    await expectHealthy(gw)
  })
})
