// Hot reload as in Envoy (reference §3.9; DESIGN "Hot reload"): a new configuration or module is
// started on a canary first; if vm_start/configure fail or the module is refused, the admin API
// answers 4xx {code, message} and the running filter keeps serving; requests in flight finish on
// the instance they started with, new ones get the new instance.
import { describe, expect, it } from 'vitest'
import { request } from 'undici'
import { startHostcalls, send, pairsSpec, expectHealthy, eventually, logLines, HOSTCALLS_WASM } from '../support/hostcalls.ts'
import { echo } from '../../helpers/upstream.ts'

async function put(adminUrl: string, name: string, body: unknown, contentType = 'application/json') {
  const res = await request(`${adminUrl}/filters/${name}`, {
    method: 'PUT',
    headers: { 'content-type': contentType },
    body: contentType === 'application/json' ? JSON.stringify(body) : (body as Buffer),
  })
  const text = await res.body.text()
  return { status: res.statusCode, json: () => JSON.parse(text) }
}

describe('hot reload', () => {
  it('a request in flight finishes on its instance; new requests get the new configuration', async () => {
    let release!: () => void
    const released = new Promise<void>((r) => (release = r))
    const { gw } = await startHostcalls({
      config: 'marker=v1 log_callbacks=1',
      upstreamHandler: async (req, res, body) => {
        if (req.url === '/slow') await released
        echo(req, res, body)
      },
    })
    const slowCallout = pairsSpec([[':method', 'GET'], [':path', '/slow'], [':authority', 'callout']])
    const inFlight = send(gw, { headers: { 'x-test-flow': 'callout', 'x-test-cluster': 'callout', 'x-test-callout_headers': slowCallout } })
    await eventually(() => logLines(gw, 'cb request_headers ').length >= 1, 'the first request in its filter')
    const reloaded = await put(gw.adminUrl, 'hostcalls', { source: HOSTCALLS_WASM, config: 'marker=v2' })
    expect(reloaded.status).toBe(200)
    const fresh = await send(gw)
    expect(fresh.status).toBe(200)
    expect(fresh.header('x-hc-marker')).toBe('v2')
    release()
    const old = await inFlight
    expect(old.status).toBe(200)
    expect(old.header('x-hc-marker')).toBe('v1')
  })

  it('a configuration whose on_configure returns false is refused; the old one keeps serving', async () => {
    const { gw } = await startHostcalls({ config: 'marker=v1' })
    const r = await put(gw.adminUrl, 'hostcalls', { source: HOSTCALLS_WASM, config: 'marker=bad fail=configure' })
    expect(r.status).toBeGreaterThanOrEqual(400)
    expect(r.status).toBeLessThan(500)
    expect(r.json().code).toBe('WG_ERR_FILTER_CONFIGURE_FAILED')
    expect((await expectHealthy(gw)).header('x-hc-marker')).toBe('v1')
  })

  it('a VM configuration that traps in vm_start is refused; the old one keeps serving', async () => {
    const { gw } = await startHostcalls({ config: 'marker=v1' })
    const r = await put(gw.adminUrl, 'hostcalls', { source: HOSTCALLS_WASM, vmConfig: 'trap=vm_start', config: 'marker=bad' })
    expect(r.status).toBeGreaterThanOrEqual(400)
    expect(r.json().code).toBe('WG_ERR_FILTER_START_FAILED')
    expect((await expectHealthy(gw)).header('x-hc-marker')).toBe('v1')
  })

  it('an upload that is not Wasm is refused with 422 WG_ERR_WASM_INVALID; the old one keeps serving', async () => {
    const { gw } = await startHostcalls({ config: 'marker=v1' })
    const r = await put(gw.adminUrl, 'hostcalls', Buffer.from('not wasm at all'), 'application/wasm')
    expect(r.status).toBe(422)
    expect(r.json().code).toBe('WG_ERR_WASM_INVALID')
    expect((await expectHealthy(gw)).header('x-hc-marker')).toBe('v1')
  })

  it('the replaced instance stops ticking once nothing uses it', async () => {
    const { gw } = await startHostcalls({ config: 'tick=5 call=proxy_log on=tick msg=tick-from-v1' })
    await eventually(() => logLines(gw, 'tick-from-v1').length >= 2, 'ticks from v1')
    const r = await put(gw.adminUrl, 'hostcalls', { source: HOSTCALLS_WASM, config: 'tick=5 call=proxy_log on=tick msg=tick-from-v2' })
    expect(r.status).toBe(200)
    await eventually(() => logLines(gw, 'tick-from-v2').length >= 2, 'ticks from v2')
    const v1 = logLines(gw, 'tick-from-v1').length
    const v2 = logLines(gw, 'tick-from-v2').length
    await eventually(() => logLines(gw, 'tick-from-v2').length >= v2 + 10, 'ten more ticks from v2')
    expect(logLines(gw, 'tick-from-v1').length).toBe(v1)
  })
})
