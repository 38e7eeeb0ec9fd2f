// proxy_add_header_map_value(map, key_ptr, key_size, value_ptr, value_size): appends an entry,
// duplicates allowed (Envoy addCopy with a lowercased key); BadArgument when the map is absent.
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, MapType, OOB_PTR, HUGE_LEN, expectEachOob } from '../../support/hostcalls.ts'
import { rawExchange } from '../../support/raw-http.ts'

const add = (map: number, key: string, value: string, on = 'request_headers') => ({ call: 'proxy_add_header_map_value', map, key, value, on })

describe('proxy_add_header_map_value', () => {
  it('adds a request header the upstream receives, keeping an existing value', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: { 'x-dup': 'a', ...callHeaders(add(0, 'x-dup', 'b'), add(0, 'X-Fresh', 'f')) } })
    expect(report(res, 1).status).toBe(Status.Ok)
    expect(report(res, 2).status).toBe(Status.Ok)
    const echo = res.json()
    expect(String(echo.headers['x-dup'])).toMatch(/a.*b/)
    expect(echo.headers['x-fresh']).toBe('f')
  })

  it('adds a response header in response_headers', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(add(MapType.ResponseHeaders, 'x-added', 'yes', 'response_headers')) })
    expect(report(res).status).toBe(Status.Ok)
    expect(res.header('x-added')).toBe('yes')
  })

  it('lowercases the key, as Envoy does (seen on the wire)', async () => {
    const { gw } = await startHostcalls()
    const raw = await rawExchange(
      gw.url,
      'GET / HTTP/1.1\r\nHost: t\r\nx-test-call: proxy_add_header_map_value\r\nx-test-on: response_headers\r\nx-test-map: 2\r\n' +
        'x-test-key: X-Wire-Case\r\nx-test-value: v\r\nConnection: close\r\n\r\n',
    )
    expect(raw).toMatch(/^HTTP\/1\.1 200/)
    expect(raw).toContain('\r\nx-wire-case: v\r\n')
  })

  it('returns BadArgument for a map not available in this step', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(add(MapType.ResponseHeaders, 'x', 'y'), add(MapType.HttpCallResponseHeaders, 'x', 'y')) })
    expect(report(res, 1).status).toBe(Status.BadArgument)
    expect(report(res, 2).status).toBe(Status.BadArgument)
  })

  it('rejects out-of-bounds pointers and lengths with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls()
    await expectEachOob(gw, add(0, 'x-k', 'v'), [
      [1, OOB_PTR],
      [2, HUGE_LEN],
      [3, OOB_PTR],
      [4, HUGE_LEN],
    ])
  })
})
