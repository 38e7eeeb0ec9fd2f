// proxy_http_call(upstream, headers, body, trailers, timeout_ms, ret_token): a callout to a
// configured cluster by name; :method, :path and :authority required, else BadArgument; unknown
// cluster BadArgument; negative timeout BadArgument; the response arrives asynchronously as
// proxy_on_http_call_response(root_ctx, token, headers, body_size, trailers) with the headers in
// map 6 and the body in buffer 4 (reference §1.4, §3.4; envoy context.cc httpCall).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, OOB_PTR, HUGE_LEN, pairsSpec, expectEachOob, logLines, eventually } from '../../support/hostcalls.ts'

const call = (cluster: string, headers: Array<[string, string]>, extra: Record<string, string | number> = {}) => ({ call: 'proxy_http_call', cluster, headers: pairsSpec(headers), ...extra })
const std: Array<[string, string]> = [[':method', 'GET'], [':path', '/callout'], [':authority', 'callout']]

describe('proxy_http_call', () => {
  it('calls a cluster while the request waits, then resumes it with what the callout returned', async () => {
    const { gw, upstream } = await startHostcalls({ config: 'log_callbacks=1' })
    const res = await send(gw, { headers: { 'x-test-flow': 'callout', 'x-test-cluster': 'callout', 'x-test-tag': 'co1' } })
    expect(res.status).toBe(200)
    const echo = res.json()
    expect(echo.headers['x-callout-status']).toBe('200')
    expect(Number(echo.headers['x-callout-body-size'])).toBeGreaterThan(0)
    expect(upstream.requests).toBe(2)
    const line = await eventually(() => logLines(gw, 'cb http_call_response ')[0], 'on_http_call_response')
    const root = /ctx=(\d+)/.exec(logLines(gw, 'cb configure ')[0]!)![1]
    expect(line).toContain(`ctx=${root} `)
    expect(Number(/headers=(\d+)/.exec(line)![1])).toBeGreaterThan(0)
    expect(Number(/body=(\d+)/.exec(line)![1])).toBe(Number(echo.headers['x-callout-body-size']))
  })

  it('sends method, path, headers and body as given; the callout response can answer the client', async () => {
    const { gw } = await startHostcalls()
    const headers = pairsSpec([[':method', 'POST'], [':path', '/sub?x=1'], [':authority', 'callout.test'], ['x-callout-h', 'v']])
    const res = await send(gw, { headers: { 'x-test-flow': 'callout_reply', 'x-test-cluster': 'callout', 'x-test-callout_headers': headers } })
    expect(res.status).toBe(200)
    const inner = res.json()
    expect(inner.method).toBe('POST')
    expect(inner.path).toBe('/sub?x=1')
    expect(inner.headers['x-callout-h']).toBe('v')
    expect(inner.headers.host).toBe('callout.test')
  })

  it('sends a body with its content-length', async () => {
    const { gw } = await startHostcalls()
    const headers = pairsSpec([[':method', 'POST'], [':path', '/with-body'], [':authority', 'callout']])
    const res = await send(gw, { headers: { 'x-test-flow': 'callout_reply', 'x-test-cluster': 'callout', 'x-test-callout_headers': headers, 'x-test-callout_body': 'ping%20body' } })
    const inner = res.json()
    expect(inner.body).toBe('ping body')
    expect(inner.headers['content-length']).toBe('9')
  })

  it('a callout past its timeout gets a 504 response, as Envoy\'s router answers it', async () => {
    const { gw } = await startHostcalls({
      config: 'log_callbacks=1',
      upstreamHandler: (req, res, body) => {
        if (req.url === '/hang') return // never answers; the upstream closes its sockets at the end of the test
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ headers: req.headers, body: body.toString() }))
      },
    })
    const hang = pairsSpec([[':method', 'GET'], [':path', '/hang'], [':authority', 'callout']])
    const res = await send(gw, { headers: { 'x-test-flow': 'callout', 'x-test-cluster': 'callout', 'x-test-callout_headers': hang, 'x-test-timeout': '50' } })
    expect(res.status).toBe(200)
    expect(res.json().headers['x-callout-status']).toBe('504')
  })

  it('returns a token and Ok when dispatched from request_headers', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(call('callout', std)) })
    const r = report(res)
    expect(r.status).toBe(Status.Ok)
    expect(r.u32).not.toBe(0)
  })

  it('returns BadArgument for an unknown cluster and for each missing required pseudo-header', async () => {
    const { gw, upstream } = await startHostcalls()
    const res = await send(gw, {
      headers: callHeaders(
        call('no-such-cluster', std),
        call('callout', [[':path', '/'], [':authority', 'a']]),
        call('callout', [[':method', 'GET'], [':authority', 'a']]),
        call('callout', [[':method', 'GET'], [':path', '/']]),
      ),
    })
    for (let n = 1; n <= 4; n++) expect(report(res, n).status, `spec ${n}`).toBe(Status.BadArgument)
    expect(upstream.requests).toBe(1)
  })

  it('returns BadArgument for a negative timeout', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders({ ...call('callout', std), arg8: 0xffffffff }) })
    expect(report(res).status).toBe(Status.BadArgument)
  })

  it('a callout that cannot connect gets a 503 response, as Envoy\'s router answers it', async () => {
    // Envoy delivers its router's local replies (no healthy upstream, connect failure) through
    // onSuccess, so on_http_call_response sees headers with :status 503 (envoyproxy/envoy#15311).
    const { gw } = await startHostcalls({ config: 'log_callbacks=1', extraClusters: [{ name: 'dead', endpoints: ['http://127.0.0.1:1'] }] })
    const res = await send(gw, { headers: { 'x-test-flow': 'callout', 'x-test-cluster': 'dead' } })
    expect(res.status).toBe(200)
    expect(res.json().headers['x-callout-status']).toBe('503')
  })

  it('a response cut after its headers is a failure: 0 headers, and proxy_get_status says why', async () => {
    const { gw } = await startHostcalls({
      config: 'log_callbacks=1',
      upstreamHandler: (req, res, body) => {
        if (req.url === '/cut') {
          res.writeHead(200, { 'content-length': '1000' })
          res.write('partial', () => res.destroy())
          return
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ headers: req.headers, body: body.toString() }))
      },
    })
    const cut = pairsSpec([[':method', 'GET'], [':path', '/cut'], [':authority', 'callout']])
    const res = await send(gw, { headers: { 'x-test-flow': 'callout', 'x-test-cluster': 'callout', 'x-test-callout_headers': cut } })
    expect(res.status).toBe(200)
    const failed = String(res.json().headers['x-callout-failed'] ?? '')
    expect(Number(failed.split(' ')[0])).toBeGreaterThan(0)
    const line = await eventually(() => logLines(gw, 'cb http_call_response ')[0], 'on_http_call_response')
    expect(line).toContain(' headers=0 ')
  })

  it('rejects out-of-bounds pointers and lengths with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls()
    await expectEachOob(gw, call('callout', std, { body: 'b', trailers: pairsSpec([['t', '1']]) }), [
      [0, OOB_PTR],
      [1, HUGE_LEN],
      [2, OOB_PTR],
      [3, HUGE_LEN],
      [4, OOB_PTR],
      [5, HUGE_LEN],
      [6, OOB_PTR],
      [7, HUGE_LEN],
      [9, OOB_PTR],
    ])
  })
})
