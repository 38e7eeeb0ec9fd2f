// proxy_on_grpc_receive_initial_metadata, proxy_on_grpc_receive,
// proxy_on_grpc_receive_trailing_metadata, proxy_on_grpc_close: called only for a gRPC call the
// host accepted. When the host refuses a call (a status SDKs know, see grpc/), none is called.
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, logLines, expectHealthy } from '../support/hostcalls.ts'

describe('gRPC callbacks', () => {
  it('are not called for a refused gRPC call', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1' })
    const res = await send(gw, { headers: callHeaders({ call: 'proxy_grpc_call', cluster: 'no-such-cluster', service: 's', method: 'm' }) })
    expect(report(res).status).not.toBe(Status.Ok)
    await expectHealthy(gw)
    expect(logLines(gw, 'cb grpc_')).toHaveLength(0)
  })
})
