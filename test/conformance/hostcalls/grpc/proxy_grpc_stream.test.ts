// proxy_grpc_stream(upstream, service, method, initial_metadata, ret_token): 9 parameters.
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, OOB_PTR, expectEachOob } from '../../support/hostcalls.ts'
import { SDK_KNOWN_STATUSES } from './grpc-support.ts'

const spec = { call: 'proxy_grpc_stream', cluster: 'callout', service: 'test.Svc', method: 'Stream' }

describe('proxy_grpc_stream', () => {
  it('links with the spec signature and returns a status SDKs know', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(spec, { ...spec, cluster: 'no-such-cluster' }) })
    expect(res.status).toBe(200)
    expect(SDK_KNOWN_STATUSES).toContain(report(res, 1).status)
    expect(SDK_KNOWN_STATUSES).toContain(report(res, 2).status)
    expect(report(res, 2).status).not.toBe(Status.Ok)
  })

  it('rejects out-of-bounds pointers with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls()
    await expectEachOob(gw, spec, [
      [0, OOB_PTR],
      [2, OOB_PTR],
      [4, OOB_PTR],
    ])
  })
})
