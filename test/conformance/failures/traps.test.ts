// A trap in any callback: the trapped instance is never reused; with failurePolicy closed the
// client gets 503 {code: WG_ERR_FILTER_TRAPPED, requestId} (or the socket is destroyed when
// response headers already went out); open skips the filter; reload serves the next request from
// a fresh instance. The trap is logged with the filter name and the callback. (issue 3, STYLE §4)
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, expectHealthy, eventually, logLines, logRecords, newTag, waitLine, HOSTCALLS_WASM } from '../support/hostcalls.ts'
import { watFixture } from '../support/wat.ts'
import { rawExchange } from '../support/raw-http.ts'

const BEFORE_RESPONSE = ['request_headers', 'request_body', 'response_headers'] as const

async function trapping(gw: Parameters<typeof send>[0], step: string, tag: string) {
  const body = step === 'request_body' ? 'some body' : undefined
  return send(gw, { method: body ? 'POST' : 'GET', body, headers: { 'x-test-tag': tag, 'x-test-trap': step } })
}

describe('traps in stream callbacks (failurePolicy closed)', () => {
  for (const step of BEFORE_RESPONSE) {
    it(`trap in ${step}: 503 with {code, requestId}, logged with filter and callback, next request OK`, async () => {
      const { gw } = await startHostcalls()
      const tag = newTag('trap')
      const res = await trapping(gw, step, tag)
      expect(res.status).toBe(503)
      const body = res.json()
      expect(body.code).toBe('WG_ERR_FILTER_TRAPPED')
      expect(typeof body.requestId).toBe('string')
      expect(body.requestId.length).toBeGreaterThan(0)
      expect(Object.keys(body).sort()).toEqual(expect.arrayContaining(['code', 'requestId']))
      const rec = await eventually(() => logRecords(gw, 'WG_ERR_FILTER_TRAPPED').find((r) => JSON.stringify(r).includes(`proxy_on_${step}`)), `a trap log record naming proxy_on_${step}`)
      expect(JSON.stringify(rec)).toContain('hostcalls')
      await expectHealthy(gw)
    })
  }

  it('trap in response_body after headers went out: the download is cut, next request OK', async () => {
    const { gw } = await startHostcalls()
    let failed = false
    try {
      const res = await trapping(gw, 'response_body', newTag())
      failed = res.status >= 500
    } catch {
      failed = true
    }
    expect(failed).toBe(true)
    await expectHealthy(gw)
  })

  for (const step of ['log', 'done', 'delete'] as const) {
    it(`trap in ${step} (after the response): the response is intact, next request OK`, async () => {
      const { gw } = await startHostcalls()
      const tag = newTag()
      const res = await trapping(gw, step, tag)
      expect(res.status).toBe(200)
      await eventually(() => logRecords(gw, 'WG_ERR_FILTER_TRAPPED').length > 0, 'the trap log record')
      await expectHealthy(gw)
    })
  }

  for (const step of ['request_trailers', 'response_trailers'] as const) {
    it(`trap in ${step}: the request fails, next request OK`, async () => {
      const { gw } = await startHostcalls({
        upstreamHandler: (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-t' })
          res.write('part')
          res.addTrailers({ 'x-t': '1' })
          res.end()
        },
      })
      const req =
        'POST / HTTP/1.1\r\nHost: t\r\nTE: trailers\r\nTransfer-Encoding: chunked\r\nTrailer: x-rt\r\n' +
        `x-test-trap: ${step}\r\nConnection: close\r\n\r\n4\r\nbody\r\n0\r\nx-rt: 1\r\n\r\n`
      const out = await rawExchange(gw.url, req)
      if (step === 'request_trailers') expect(out).toMatch(/^HTTP\/1\.1 503/)
      else expect(out).not.toMatch(/0\r\nx-t: 1\r\n\r\n$/)
      await eventually(() => logRecords(gw, 'WG_ERR_FILTER_TRAPPED').length > 0, 'the trap log record')
      await expectHealthy(gw)
    })
  }

  it('trap in on_http_call_response: 503 for the waiting request, next request OK', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: { 'x-test-flow': 'callout', 'x-test-cluster': 'callout', 'x-test-trap': 'http_call_response' } })
    expect(res.status).toBe(503)
    expect(res.json().code).toBe('WG_ERR_FILTER_TRAPPED')
    await expectHealthy(gw)
  })

  it('trap in on_tick: logged, and requests are still served', async () => {
    // trap_once: a fresh instance re-arms the tick, and must not trap again on it.
    const { gw } = await startHostcalls({ config: 'tick=5 trap_once=tick' })
    await eventually(() => logRecords(gw, 'WG_ERR_FILTER_TRAPPED').length > 0, 'the tick trap log record')
    await expectHealthy(gw)
  })

  it('trap in on_queue_ready: logged, and requests are still served', async () => {
    const { gw } = await startHostcalls({ config: 'queue=q trap_once=queue_ready' })
    const id = Number(/id=(\d+)/.exec(await waitLine(gw, 'queue registered id='))![1])
    await send(gw, { headers: { 'x-test-call': 'proxy_enqueue_shared_queue', 'x-test-id': String(id), 'x-test-value': 'v' } })
    await eventually(() => logRecords(gw, 'WG_ERR_FILTER_TRAPPED').length > 0, 'the queue_ready trap log record')
    await expectHealthy(gw)
  })

  it('an abort (env.abort) behaves like a trap', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: { 'x-test-abort': 'request_headers' } })
    expect(res.status).toBe(503)
    await expectHealthy(gw)
  })

  it('a trapped instance is never reused: a fresh one is started and configured', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1' })
    await expectHealthy(gw)
    const configured = logLines(gw, 'cb configure ').length
    expect((await send(gw, { headers: { 'x-test-trap': 'request_headers' } })).status).toBe(503)
    await expectHealthy(gw)
    expect(logLines(gw, 'cb configure ').length).toBeGreaterThan(configured)
  })

  it('requests in flight on the trapped instance fail the same way', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1' })
    const tag = newTag('inflight')
    const waiting = send(gw, { headers: { 'x-test-tag': tag, 'x-test-flow': 'tick' } }) // paused: no tick configured
    await waitLine(gw, `cb request_headers ctx=`)
    const trapped = await send(gw, { headers: { 'x-test-trap': 'request_headers' } })
    expect(trapped.status).toBe(503)
    const res = await waiting
    expect(res.status).toBe(503)
    expect(res.json().code).toBe('WG_ERR_FILTER_TRAPPED')
  })

  it('a .wat module that always traps: every request gets 503 and the proxy stays up', async () => {
    const { gw } = await startHostcalls({ source: await watFixture('trap-on-request-headers') })
    for (let i = 0; i < 3; i++) expect((await send(gw)).status).toBe(503)
  })
})

describe('failure policies', () => {
  it('open: the filter is skipped for the trapping request', async () => {
    const { gw, upstream } = await startHostcalls({ failurePolicy: 'open' })
    const res = await send(gw, { headers: { 'x-test-trap': 'request_headers' } })
    expect(res.status).toBe(200)
    expect(upstream.requests).toBe(1)
    await expectHealthy(gw)
  })

  it('open in a chain: the trapping filter is skipped and the next filter still runs', async () => {
    const { gw } = await startHostcalls({
      failurePolicy: 'open',
      extraFilters: [{ name: 'second', source: HOSTCALLS_WASM, config: 'hdr=x-b' }],
      routeFilters: ['hostcalls', 'second'],
    })
    const res = await send(gw, {
      headers: { 'x-test-trap': 'request_headers', 'x-b-call': 'proxy_add_header_map_value', 'x-b-map': '0', 'x-b-key': 'x-second-ran', 'x-b-value': 'yes' },
    })
    expect(res.status).toBe(200)
    expect(res.json().headers['x-second-ran']).toBe('yes')
  })

  it('reload: the next requests are served by a fresh instance', async () => {
    const { gw } = await startHostcalls({ failurePolicy: 'reload' })
    expect((await send(gw, { headers: { 'x-test-trap': 'request_headers' } })).status).toBe(503)
    await expectHealthy(gw)
  })
})
