// Continue and Pause on every HTTP callback (issue 3 "Request flow"): a filter returns Pause in a
// step and a later root callback (on_tick here) continues the stream with proxy_continue_stream
// (HTTP_REQUEST for request steps, HTTP_RESPONSE for response steps); nothing is lost or sent
// twice. A filter that buffers more than limits.maxBufferedBodyBytes: 413 on the request side
// (Envoy), the response fails on the response side (reference §3.8).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, expectHealthy } from '../support/hostcalls.ts'

describe('pause and resume in every step', () => {
  it('request_headers: the upstream gets the request after on_tick continues it', async () => {
    const { gw, upstream } = await startHostcalls({ config: 'tick=5' })
    const res = await send(gw, { headers: { 'x-test-tick_resume': 'request_headers' } })
    expect(res.status).toBe(200)
    expect(res.json().headers['x-resumed-by']).toBe('tick')
    expect(upstream.requests).toBe(1)
  })

  it('request_body: the whole body arrives after on_tick continues it', async () => {
    const { gw } = await startHostcalls({ config: 'tick=5' })
    const body = 'b'.repeat(20000)
    const res = await send(gw, { method: 'POST', body, headers: { 'x-test-tick_resume': 'request_body' } })
    expect(res.status).toBe(200)
    expect(res.json().body).toBe(body)
  })

  it('response_headers: the client gets the response, with the header on_tick added', async () => {
    const { gw } = await startHostcalls({ config: 'tick=5' })
    const res = await send(gw, { headers: { 'x-test-tick_resume': 'response_headers' } })
    expect(res.status).toBe(200)
    expect(res.header('x-resumed-by')).toBe('tick')
    expect(res.json().method).toBe('GET')
  })

  it('response_body: the whole body reaches the client after on_tick continues it', async () => {
    const { gw } = await startHostcalls({ config: 'tick=5' })
    const res = await send(gw, { headers: { 'x-test-tick_resume': 'response_body' } })
    expect(res.status).toBe(200)
    expect(res.json().headers['x-test-tick_resume']).toBe('response_body')
  })
})

describe('body buffering limits', () => {
  it('a request body buffered past maxBufferedBodyBytes: 413 WG_ERR_FILTER_BUFFER_LIMIT, the proxy keeps serving', async () => {
    const { gw, upstream } = await startHostcalls({ limits: { maxBufferedBodyBytes: 1024 } })
    // Many chunks, so the filter sees end_of_stream = 0 first and pauses (buffering).
    const chunks = async function* () {
      for (let i = 0; i < 32; i++) yield Buffer.alloc(16 * 1024, 'x')
    }
    const res = await send(gw, { method: 'POST', body: chunks(), headers: { 'x-test-hold': 'request_body' } })
    expect(res.status).toBe(413)
    expect(res.json().code).toBe('WG_ERR_FILTER_BUFFER_LIMIT')
    expect(upstream.requests).toBe(0)
    await expectHealthy(gw)
  })

  it('a response body buffered past maxBufferedBodyBytes fails the response, the proxy keeps serving', async () => {
    const part = 'y'.repeat(16 * 1024)
    const big = part.repeat(32)
    const { gw } = await startHostcalls({
      limits: { maxBufferedBodyBytes: 1024 },
      upstreamHandler: (req, res) => {
        if (req.url === '/healthy') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
        res.writeHead(200, { 'content-type': 'text/plain' })
        for (let i = 0; i < 31; i++) res.write(part)
        res.end(part)
      },
    })
    let failed: boolean
    try {
      const res = await send(gw, { headers: { 'x-test-hold': 'response_body' } })
      failed = res.status >= 500 || res.text !== big
    } catch {
      failed = true
    }
    expect(failed).toBe(true)
    await expectHealthy(gw)
  })
})
