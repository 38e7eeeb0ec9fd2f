// proxy_get_property(path, ret_value): the path is NUL-separated segments (a dotted string is a
// single unknown name in Envoy); values use Envoy's encodings: strings raw, integers 8-byte
// little-endian, booleans 1 byte, timestamps int64 ns (reference §1.6, §2).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, OOB_PTR, HUGE_LEN, propPath, expectEachOob, expectAllocatorFailuresHandled, waitLine, parseReport, decodePairs } from '../../support/hostcalls.ts'

const prop = (...segments: string[]) => ({ call: 'proxy_get_property', path: propPath(...segments) })
const propOn = (on: string, ...segments: string[]) => ({ ...prop(...segments), on })
const i64 = (b: Buffer | undefined) => (b && b.length === 8 ? b.readBigInt64LE(0) : undefined)

describe('proxy_get_property', () => {
  it('gives the plugin properties (plugin_name, plugin_root_id, plugin_vm_id)', async () => {
    const { gw } = await startHostcalls({ vmId: 'my-vm' })
    const res = await send(gw, { headers: callHeaders(prop('plugin_name'), prop('plugin_root_id'), prop('plugin_vm_id')) })
    expect(report(res, 1)).toMatchObject({ status: Status.Ok, text: 'hostcalls' })
    expect(report(res, 2)).toMatchObject({ status: Status.Ok, text: 'hostcalls' })
    expect(report(res, 3)).toMatchObject({ status: Status.Ok, text: 'my-vm' })
  })

  it('gives the request attributes as strings', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, {
      path: '/a/b?c=d',
      headers: { 'user-agent': 'conformance-agent', 'x-request-id': 'req-123', ...callHeaders(prop('request', 'path'), prop('request', 'url_path'), prop('request', 'method'), prop('request', 'scheme')) },
    })
    expect(report(res, 1)).toMatchObject({ status: Status.Ok, text: '/a/b?c=d' })
    expect(report(res, 2)).toMatchObject({ status: Status.Ok, text: '/a/b' })
    expect(report(res, 3)).toMatchObject({ status: Status.Ok, text: 'GET' })
    expect(report(res, 4)).toMatchObject({ status: Status.Ok, text: 'http' })
    const res2 = await send(gw, {
      path: '/a/b?c=d',
      headers: { 'user-agent': 'conformance-agent', 'x-request-id': 'req-123', ...callHeaders(prop('request', 'protocol'), prop('request', 'useragent'), prop('request', 'id'), prop('request', 'host')) },
    })
    expect(report(res2, 1)).toMatchObject({ status: Status.Ok, text: 'HTTP/1.1' })
    expect(report(res2, 2)).toMatchObject({ status: Status.Ok, text: 'conformance-agent' })
    expect(report(res2, 3)).toMatchObject({ status: Status.Ok, text: 'req-123' })
    expect(report(res2, 4).text).toMatch(/^127\.0\.0\.1:\d+$/)
  })

  it('reads one request header through a path expression', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: { 'x-pick': 'picked', ...callHeaders(prop('request', 'headers', 'x-pick')) } })
    expect(report(res)).toMatchObject({ status: Status.Ok, text: 'picked' })
  })

  it('gives request.headers as a map in the pairs format', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: { 'x-in-map': 'present', ...callHeaders(prop('request', 'headers')) } })
    const r = report(res)
    expect(r.status).toBe(Status.Ok)
    expect(decodePairs(r.bytes!)).toContainEqual(['x-in-map', 'present'])
  })

  it('gives the route and cluster names under xds.* (and the older top-level names)', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(prop('xds', 'route_name'), prop('xds', 'cluster_name'), prop('route_name'), prop('cluster_name')) })
    expect(report(res, 1)).toMatchObject({ status: Status.Ok, text: 'all' })
    expect(report(res, 2)).toMatchObject({ status: Status.Ok, text: 'backend' })
    expect(report(res, 3)).toMatchObject({ status: Status.Ok, text: 'all' })
    expect(report(res, 4)).toMatchObject({ status: Status.Ok, text: 'backend' })
  })

  it('encodes booleans as one byte (connection.mtls is false on plain HTTP)', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(prop('connection', 'mtls')) })
    expect(report(res)).toMatchObject({ status: Status.Ok, size: 1 })
    expect(report(res).bytes![0]).toBe(0)
  })

  it('encodes integers as 8-byte little-endian and timestamps as int64 nanoseconds', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(prop('source', 'port'), prop('destination', 'port'), prop('connection', 'id'), prop('request', 'time')) })
    const srcPort = i64(report(res, 1).bytes)
    expect(srcPort).toBeGreaterThan(0n)
    expect(srcPort).toBeLessThan(65536n)
    expect(i64(report(res, 2).bytes)).toBe(BigInt(new URL(gw.url).port))
    expect(report(res, 3).size).toBe(8)
    const t = i64(report(res, 4).bytes)!
    const now = BigInt(Date.now()) * 1_000_000n
    expect(t > now - 60_000_000_000n && t <= now + 60_000_000_000n).toBe(true)
  })

  it('gives source and destination addresses', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(prop('source', 'address'), prop('destination', 'address')) })
    expect(report(res, 1).text).toMatch(/^127\.0\.0\.1(:\d+)?$/)
    expect(report(res, 2).text).toMatch(/^127\.0\.0\.1(:\d+)?$/)
  })

  it('gives response.code as an integer in response_headers', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(propOn('response_headers', 'response', 'code')) })
    expect(i64(report(res).bytes)).toBe(200n)
  })

  it('gives response attributes in on_log (response.code, response.size)', async () => {
    const { gw } = await startHostcalls()
    const { logReport, newTag } = await import('../../support/hostcalls.ts')
    const tag = newTag('resplog')
    const res = await send(gw, { headers: { 'x-test-tag': tag, ...callHeaders(propOn('log', 'response', 'code'), propOn('log', 'response', 'size')) } })
    const code = await logReport(gw, tag, 1, 'log')
    expect(i64(code.bytes)).toBe(200n)
    const size = await logReport(gw, tag, 2, 'log')
    expect(size.status).toBe(Status.Ok)
    expect(i64(size.bytes)).toBe(BigInt(Buffer.byteLength(res.text)))
  })

  it('gives request.duration (int64 ns) and request.size in on_log', async () => {
    const { gw } = await startHostcalls()
    const { logReport, newTag } = await import('../../support/hostcalls.ts')
    const tag = newTag('reqlog')
    await send(gw, { method: 'POST', body: '12345', headers: { 'x-test-tag': tag, ...callHeaders(propOn('log', 'request', 'duration'), propOn('log', 'request', 'size')) } })
    const duration = await logReport(gw, tag, 1, 'log')
    expect(duration.status).toBe(Status.Ok)
    expect(i64(duration.bytes)! > 0n).toBe(true)
    expect(i64((await logReport(gw, tag, 2, 'log')).bytes)).toBe(5n)
  })

  it('does not treat dots as separators, and returns NotFound for unknown names', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders({ call: 'proxy_get_property', path: 'request.path' }, prop('no_such_property'), prop('request', 'no_such_field')) })
    expect(report(res, 1).status).toBe(Status.NotFound)
    expect(report(res, 2).status).toBe(Status.NotFound)
    expect(report(res, 3).status).toBe(Status.NotFound)
  })

  it('returns NotFound for request attributes on a root context', async () => {
    const { gw } = await startHostcalls({ config: `call=proxy_get_property on=configure path=${propPath('request', 'path')}` })
    const line = await waitLine(gw, 'step=configure call=proxy_get_property ')
    expect(parseReport(line.slice(line.indexOf('status='))).status).toBe(Status.NotFound)
  })

  it('rejects out-of-bounds pointers with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls()
    await expectEachOob(gw, prop('plugin_name'), [
      [0, OOB_PTR],
      [1, HUGE_LEN],
      [2, OOB_PTR],
      [3, OOB_PTR],
    ])
  })

  it('fails cleanly when the guest allocator returns 0 or garbage', async () => {
    const { gw } = await startHostcalls()
    await expectAllocatorFailuresHandled(gw, prop('plugin_name'))
  })
})
