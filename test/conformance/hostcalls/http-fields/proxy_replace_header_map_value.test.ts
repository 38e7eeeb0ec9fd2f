// proxy_replace_header_map_value(map, key_ptr, key_size, value_ptr, value_size): sets one value,
// adding the header when absent (Envoy setCopy); BadArgument when the map is absent.
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, MapType, OOB_PTR, HUGE_LEN, expectEachOob } from '../../support/hostcalls.ts'

const repl = (map: number, key: string, value: string, on = 'request_headers') => ({ call: 'proxy_replace_header_map_value', map, key, value, on })

describe('proxy_replace_header_map_value', () => {
  it('replaces an existing request header and adds a missing one', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: { 'x-r': 'old', ...callHeaders(repl(0, 'x-r', 'new'), repl(0, 'x-missing', 'added')) } })
    expect(report(res, 1).status).toBe(Status.Ok)
    expect(report(res, 2).status).toBe(Status.Ok)
    const echo = res.json()
    expect(echo.headers['x-r']).toBe('new')
    expect(echo.headers['x-missing']).toBe('added')
  })

  it('replaces every value of a repeated header with one', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: { 'x-rep': ['1', '2'] as unknown as string, ...callHeaders(repl(0, 'x-rep', 'only')) } })
    expect(res.json().headers['x-rep']).toBe('only')
  })

  it('rewrites :path, which changes the upstream request path', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { path: '/before', headers: callHeaders(repl(0, ':path', '/after?z=1')) })
    expect(res.json().path).toBe('/after?z=1')
  })

  it('replaces a response header and :status in response_headers', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(repl(MapType.ResponseHeaders, 'content-type', 'text/x-test', 'response_headers'), repl(MapType.ResponseHeaders, ':status', '299', 'response_headers')) })
    expect(res.header('content-type')).toBe('text/x-test')
    expect(res.status).toBe(299)
  })

  it('returns BadArgument for a map not available in this step', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(repl(MapType.ResponseHeaders, 'x', 'y')) })
    expect(report(res).status).toBe(Status.BadArgument)
  })

  it('rejects out-of-bounds pointers and lengths with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls()
    await expectEachOob(gw, repl(0, 'x-k', 'v'), [
      [1, OOB_PTR],
      [2, HUGE_LEN],
      [3, OOB_PTR],
      [4, HUGE_LEN],
    ])
  })
})
