// proxy_close_stream(stream_type): resets the HTTP stream (Envoy: details wasm_close_stream,
// reference §3.8). The request never reaches the upstream; the proxy keeps serving.
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, expectHealthy } from '../../support/hostcalls.ts'

describe('proxy_close_stream', () => {
  it('resets the request from request_headers: no upstream request, no 2xx to the client', async () => {
    const { gw, upstream } = await startHostcalls()
    let outcome: string
    try {
      const res = await send(gw, { headers: callHeaders({ call: 'proxy_close_stream', stream: 0 }) })
      outcome = `status ${res.status}`
      expect(res.status).toBeGreaterThanOrEqual(500)
    } catch (err) {
      outcome = `error ${(err as Error).name}`
    }
    expect(outcome).toBeDefined()
    expect(upstream.requests).toBe(0)
    await expectHealthy(gw)
  })

  it('resets the response from response_headers: the client gets no 2xx', async () => {
    const { gw } = await startHostcalls()
    let status = 0
    try {
      const res = await send(gw, { headers: callHeaders({ call: 'proxy_close_stream', stream: 1, on: 'response_headers' }) })
      status = res.status
    } catch {
      status = -1
    }
    expect(status === -1 || status >= 500).toBe(true)
    await expectHealthy(gw)
  })
})
