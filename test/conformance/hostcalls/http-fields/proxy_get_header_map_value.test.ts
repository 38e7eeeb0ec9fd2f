// proxy_get_header_map_value(map, key_ptr, key_size, ret_ptr_ptr, ret_size_ptr)
// Spec 0.2.1 "HTTP fields"; Envoy context.cc getHeaderMapValue: first value of a repeated header,
// NotFound for a missing key (0.2.x), BadArgument for a map not available in this step.
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, MapType, OOB_PTR, HUGE_LEN, expectEachOob, expectAllocatorFailuresHandled } from '../../support/hostcalls.ts'

const get = (map: number, key: string, on = 'request_headers') => ({ call: 'proxy_get_header_map_value', map, key, on })

describe('proxy_get_header_map_value', () => {
  it('reads a request header and the pseudo-headers in request_headers', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, {
      path: '/some/path?q=1',
      headers: { 'x-hello': 'world', ...callHeaders(get(0, 'x-hello'), get(0, ':method'), get(0, ':path'), get(0, ':authority')) },
    })
    expect(res.status).toBe(200)
    expect(report(res, 1)).toMatchObject({ status: Status.Ok, text: 'world' })
    expect(report(res, 2)).toMatchObject({ status: Status.Ok, text: 'GET' })
    expect(report(res, 3)).toMatchObject({ status: Status.Ok, text: '/some/path?q=1' })
    expect(report(res, 4).status).toBe(Status.Ok)
    expect(report(res, 4).text).toMatch(/^127\.0\.0\.1:\d+$/)
  })

  it('looks keys up case-insensitively (Envoy lowercases every key)', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: { 'x-mixed': 'v', ...callHeaders(get(0, 'X-Mixed')) } })
    expect(report(res)).toMatchObject({ status: Status.Ok, text: 'v' })
  })

  it('returns the first value of a repeated header, like Envoy', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: { 'x-rep': ['first', 'second'] as unknown as string, ...callHeaders(get(0, 'x-rep')) } })
    expect(report(res)).toMatchObject({ status: Status.Ok, text: 'first' })
  })

  it('returns NotFound for a missing key (ABI 0.2.x)', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(get(0, 'x-absent')) })
    expect(res.status).toBe(200)
    expect(report(res).status).toBe(Status.NotFound)
  })

  it('returns an empty value as Ok with size 0', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: { 'x-empty': '', ...callHeaders(get(0, 'x-empty')) } })
    expect(report(res)).toMatchObject({ status: Status.Ok, size: 0 })
  })

  it('reads :status and response headers in response_headers', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(get(MapType.ResponseHeaders, ':status', 'response_headers'), get(MapType.ResponseHeaders, 'content-type', 'response_headers')) })
    expect(report(res, 1)).toMatchObject({ status: Status.Ok, text: '200' })
    expect(report(res, 2).status).toBe(Status.Ok)
    expect(report(res, 2).text).toMatch(/^application\/json/)
  })

  it('still reads request headers during the response (Envoy keeps them)', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: { 'x-keep': 'kept', ...callHeaders(get(0, 'x-keep', 'response_headers')) } })
    expect(report(res)).toMatchObject({ status: Status.Ok, text: 'kept' })
  })

  it('returns BadArgument for a map that does not exist yet, or an unknown map type', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, {
      headers: callHeaders(get(MapType.ResponseHeaders, ':status'), get(MapType.HttpCallResponseHeaders, ':status'), get(99, 'x'), get(MapType.RequestTrailers, 'x')),
    })
    expect(res.status).toBe(200)
    expect(report(res, 1).status).toBe(Status.BadArgument)
    expect(report(res, 2).status).toBe(Status.BadArgument)
    expect(report(res, 3).status).toBe(Status.BadArgument)
    expect(report(res, 4).status).toBe(Status.BadArgument)
  })

  it('rejects out-of-bounds pointers and lengths with InvalidMemoryAccess and keeps serving', async () => {
    const { gw } = await startHostcalls()
    await expectEachOob(gw, get(0, ':method'), [
      [1, OOB_PTR],
      [2, HUGE_LEN],
      [3, OOB_PTR],
      [4, OOB_PTR],
    ])
  })

  it('fails cleanly when the guest allocator returns 0 or garbage', async () => {
    const { gw } = await startHostcalls()
    await expectAllocatorFailuresHandled(gw, get(0, ':method'))
  })
})
