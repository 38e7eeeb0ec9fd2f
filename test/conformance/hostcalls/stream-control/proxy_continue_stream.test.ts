// proxy_continue_stream(stream_type): resumes a paused request (HTTP_REQUEST=0) or response
// (HTTP_RESPONSE=1); the action is deferred until the current callback returns (reference §3.1,
// §3.8). An unknown stream type is BadArgument.
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status } from '../../support/hostcalls.ts'

describe('proxy_continue_stream', () => {
  it('resumes a request paused in request_headers from a later root callback (tick)', async () => {
    const { gw, upstream } = await startHostcalls({ config: 'tick=5' })
    const res = await send(gw, { headers: { 'x-test-flow': 'tick' } })
    expect(res.status).toBe(200)
    expect(res.json().headers['x-resumed-by']).toBe('tick')
    expect(upstream.requests).toBe(1)
  })

  it('is harmless on a stream that is not paused: the request is forwarded exactly once', async () => {
    const { gw, upstream } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders({ call: 'proxy_continue_stream', stream: 0 }) })
    expect(res.status).toBe(200)
    expect(report(res).status).toBe(Status.Ok)
    expect(upstream.requests).toBe(1)
  })

  it('continuing inside the same callback that returns Pause resumes the request (deferred action)', async () => {
    const { gw, upstream } = await startHostcalls()
    const res = await send(gw, { headers: { 'x-test-return': 'request_headers=1', ...callHeaders({ call: 'proxy_continue_stream', stream: 0 }) } })
    expect(res.status).toBe(200)
    expect(report(res).status).toBe(Status.Ok)
    expect(upstream.requests).toBe(1)
  })

  it('returns BadArgument for an unknown stream type', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders({ call: 'proxy_continue_stream', stream: 9 }) })
    expect(report(res).status).toBe(Status.BadArgument)
  })
})
