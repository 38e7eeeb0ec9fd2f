// proxy_get_header_map_size(map, ret_size_ptr): Envoy writes HeaderMap::byteSize(), the sum of
// key and value lengths, not the number of pairs (reference §1.4 and §1.9 #8); BadArgument when
// the map is absent.
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, MapType, OOB_PTR, decodePairs, expectEachOob } from '../../support/hostcalls.ts'

const size = (map: number, on = 'request_headers') => ({ call: 'proxy_get_header_map_size', map, on })
const pairs = (map: number, on = 'request_headers') => ({ call: 'proxy_get_header_map_pairs', map, on })

describe('proxy_get_header_map_size', () => {
  it('is the byte size of the request headers (keys + values), as in Envoy', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: { 'x-some': 'value', ...callHeaders(size(0), pairs(0)) } })
    const r = report(res, 1)
    expect(r.status).toBe(Status.Ok)
    const list = decodePairs(report(res, 2).bytes!)
    const bytes = list.reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0)
    expect(r.u32).toBe(bytes)
  })

  it('works for response headers in response_headers', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(size(MapType.ResponseHeaders, 'response_headers'), pairs(MapType.ResponseHeaders, 'response_headers')) })
    const list = decodePairs(report(res, 2).bytes!)
    expect(report(res, 1).u32).toBe(list.reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0))
  })

  it('returns BadArgument for a map not available in this step', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(size(MapType.ResponseHeaders), size(MapType.RequestTrailers)) })
    expect(report(res, 1).status).toBe(Status.BadArgument)
    expect(report(res, 2).status).toBe(Status.BadArgument)
  })

  it('rejects an out-of-bounds return pointer with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls()
    await expectEachOob(gw, size(0), [[1, OOB_PTR]])
  })
})
