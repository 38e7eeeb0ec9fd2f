// proxy_get_header_map_pairs(map, ret_ptr_ptr, ret_size_ptr): the whole map, serialized as pairs
// (spec "Serialization"); an empty or unavailable map is Ok with (0, 0) in Envoy (getHeaderMapPairs).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, MapType, OOB_PTR, decodePairs, expectEachOob, expectAllocatorFailuresHandled } from '../../support/hostcalls.ts'

const pairs = (map: number, on = 'request_headers') => ({ call: 'proxy_get_header_map_pairs', map, on })

describe('proxy_get_header_map_pairs', () => {
  it('serializes the request headers with pseudo-headers first, lowercase names', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { path: '/p?x=1', headers: { 'X-Upper': 'V', ...callHeaders(pairs(0)) } })
    const r = report(res)
    expect(r.status).toBe(Status.Ok)
    const list = decodePairs(r.bytes!)
    const names = list.map(([k]) => k)
    expect(names.slice(0, 4).sort()).toEqual([':authority', ':method', ':path', ':scheme'])
    expect(list).toContainEqual([':method', 'GET'])
    expect(list).toContainEqual([':path', '/p?x=1'])
    expect(list).toContainEqual([':scheme', 'http'])
    expect(list).toContainEqual(['x-upper', 'V'])
    for (const n of names) expect(n).toBe(n.toLowerCase())
  })

  it('keeps each value of a repeated header as its own pair (Envoy iterates entries)', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: { 'x-rep': ['one', 'two'] as unknown as string, ...callHeaders(pairs(0)) } })
    const list = decodePairs(report(res).bytes!)
    expect(list.filter(([k]) => k === 'x-rep')).toEqual([['x-rep', 'one'], ['x-rep', 'two']])
  })

  it('serializes the response headers with :status in response_headers', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(pairs(MapType.ResponseHeaders, 'response_headers')) })
    const list = decodePairs(report(res).bytes!)
    expect(list).toContainEqual([':status', '200'])
  })

  it('returns an empty result for a map that is not available (Envoy: Ok, nothing allocated)', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(pairs(MapType.ResponseHeaders), pairs(MapType.RequestTrailers)) })
    for (const n of [1, 2]) {
      const r = report(res, n)
      expect(r.status).toBe(Status.Ok)
      expect(r.size === 0 || decodePairs(r.bytes!).length === 0).toBe(true)
    }
  })

  it('rejects out-of-bounds return pointers with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls()
    await expectEachOob(gw, pairs(0), [
      [1, OOB_PTR],
      [2, OOB_PTR],
    ])
  })

  it('fails cleanly when the guest allocator returns 0 or garbage', async () => {
    const { gw } = await startHostcalls()
    await expectAllocatorFailuresHandled(gw, pairs(0))
  })
})
