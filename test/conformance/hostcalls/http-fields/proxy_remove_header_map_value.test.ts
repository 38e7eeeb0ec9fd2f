// proxy_remove_header_map_value(map, key_ptr, key_size): removes every value of the key; Ok even
// when absent (reference §1.4); BadArgument when the map is absent (Envoy removeHeaderMapValue).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, MapType, OOB_PTR, HUGE_LEN, expectEachOob } from '../../support/hostcalls.ts'

const rm = (map: number, key: string, on = 'request_headers') => ({ call: 'proxy_remove_header_map_value', map, key, on })

describe('proxy_remove_header_map_value', () => {
  it('removes a request header (all its values) before the upstream sees it', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: { 'x-secret': ['a', 'b'] as unknown as string, ...callHeaders(rm(0, 'X-Secret')) } })
    expect(report(res).status).toBe(Status.Ok)
    expect(res.json().headers['x-secret']).toBeUndefined()
  })

  it('returns Ok for a key that is not there', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(rm(0, 'x-never-sent')) })
    expect(report(res).status).toBe(Status.Ok)
  })

  it('removes a response header in response_headers', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(rm(MapType.ResponseHeaders, 'content-type', 'response_headers')) })
    expect(report(res).status).toBe(Status.Ok)
    expect(res.header('content-type')).toBeUndefined()
  })

  it('returns BadArgument for a map not available in this step', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(rm(MapType.ResponseHeaders, 'x')) })
    expect(report(res).status).toBe(Status.BadArgument)
  })

  it('rejects out-of-bounds pointers and lengths with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls()
    await expectEachOob(gw, rm(0, 'x-k'), [
      [1, OOB_PTR],
      [2, HUGE_LEN],
    ])
  })
})
