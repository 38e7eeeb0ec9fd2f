// proxy_set_header_map_pairs(map, ptr, size): Envoy removes every key, then adds the pairs with
// lowercased keys (context.cc setHeaderMapPairs). Empty maps may come as size 0, one 0x00 byte or
// a zero count (spec "Serialization"; reference §1.6): a host accepts all three.
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, MapType, OOB_PTR, HUGE_LEN, pairsSpec, expectEachOob, expectHealthy } from '../../support/hostcalls.ts'

const set = (map: number, pairs: string, on = 'request_headers') => ({ call: 'proxy_set_header_map_pairs', map, pairs, on })

describe('proxy_set_header_map_pairs', () => {
  it('replaces every request header; the upstream sees exactly the new set', async () => {
    const { gw, upstream } = await startHostcalls()
    const spec = set(0, pairsSpec([[':method', 'GET'], [':path', '/replaced'], [':authority', 'example.test'], [':scheme', 'http'], ['X-New', 'yes']]))
    const res = await send(gw, { headers: { 'x-old': 'gone', ...callHeaders(spec) } })
    expect(res.status).toBe(200)
    expect(report(res).status).toBe(Status.Ok)
    const echo = res.json()
    expect(echo.path).toBe('/replaced')
    expect(echo.headers['x-new']).toBe('yes')
    expect(echo.headers['x-old']).toBeUndefined()
    expect(echo.headers['x-test-call']).toBeUndefined()
    expect(upstream.requests).toBeGreaterThanOrEqual(1)
  })

  it('replaces the response headers in response_headers', async () => {
    const { gw } = await startHostcalls()
    const spec = set(MapType.ResponseHeaders, pairsSpec([[':status', '201'], ['x-set', 'by-filter']]), 'response_headers')
    const res = await send(gw, { headers: callHeaders(spec) })
    expect(res.status).toBe(201)
    expect(res.header('x-set')).toBe('by-filter')
    expect(res.header('content-type')).toBeUndefined()
  })

  it('accepts the three encodings of an empty map', async () => {
    const { gw } = await startHostcalls()
    for (const hex of ['', '00', '00000000']) {
      const restore = { call: 'proxy_replace_header_map_value', map: MapType.ResponseHeaders, key: ':status', value: '200', on: 'response_headers' }
      const res = await send(gw, { headers: callHeaders({ ...set(MapType.ResponseHeaders, '', 'response_headers'), pairs_hex: hex }, restore) })
      expect(res.status, `empty map as "${hex}"`).toBe(200)
      expect(res.header('content-type'), `empty map as "${hex}"`).toBeUndefined()
    }
  })

  it('returns BadArgument for a map not available in this step', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(set(MapType.ResponseHeaders, 'a=b')) })
    expect(res.status).toBe(200)
    expect(report(res).status).toBe(Status.BadArgument)
  })

  it('survives malformed pair buffers without throwing into the host', async () => {
    const { gw } = await startHostcalls()
    // count says 5 pairs, buffer holds one length entry; and a pair missing its NUL terminators
    for (const hex of ['05000000010000000100000061', '010000000100000001000000616262']) {
      const res = await send(gw, { headers: callHeaders({ ...set(MapType.ResponseHeaders, '', 'response_headers'), pairs_hex: hex }) })
      expect([200, 502, 503]).toContain(res.status)
    }
    await expectHealthy(gw)
  })

  it('rejects out-of-bounds pointers and lengths with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls()
    await expectEachOob(gw, set(MapType.RequestHeaders, 'x-a=1'), [
      [1, OOB_PTR],
      [2, HUGE_LEN],
    ])
  })
})
