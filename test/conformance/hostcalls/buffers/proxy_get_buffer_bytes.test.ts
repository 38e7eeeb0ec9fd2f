// proxy_get_buffer_bytes(type, start, max_size, ret_ptr_ptr, ret_size_ptr): the length is clamped
// to what is available, a start past the end gives an empty result, an unavailable buffer gives
// NotFound (cpp-host get_buffer_bytes; reference §1.2 and §1.4). PLUGIN_CONFIGURATION exists only
// during on_configure (Envoy getBuffer `temp_plugin_`); VM_CONFIGURATION always.
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, BufferType, OOB_PTR, expectEachOob, expectAllocatorFailuresHandled, logReport, newTag, waitLine, parseReport } from '../../support/hostcalls.ts'

const get = (buffer: number, on: string, extra: Record<string, string | number> = {}) => ({ call: 'proxy_get_buffer_bytes', buffer, on, eos_only: 1, ...extra })

describe('proxy_get_buffer_bytes', () => {
  it('reads the whole buffered request body, a slice of it, and clamps max_size', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, {
      method: 'POST',
      body: 'hello world',
      headers: { 'x-test-hold': 'request_body', ...callHeaders(get(0, 'request_body'), get(0, 'request_body', { start: 6, max: 5 }), get(0, 'request_body', { max: 0xffffffff }), get(0, 'request_body', { start: 50 })) },
    })
    expect(res.status).toBe(200)
    expect(report(res, 1)).toMatchObject({ status: Status.Ok, text: 'hello world' })
    expect(report(res, 2)).toMatchObject({ status: Status.Ok, text: 'world' })
    expect(report(res, 3)).toMatchObject({ status: Status.Ok, text: 'hello world' })
    expect(report(res, 4)).toMatchObject({ status: Status.Ok, size: 0 })
    expect(res.json().body).toBe('hello world')
  })

  it('reads the buffered response body in response_body', async () => {
    const { gw } = await startHostcalls()
    const tag = newTag()
    const res = await send(gw, { headers: { 'x-test-tag': tag, 'x-test-hold': 'response_body', ...callHeaders(get(BufferType.ResponseBody, 'response_body')) } })
    expect(res.status).toBe(200)
    const r = await logReport(gw, tag, 1, 'response_body')
    expect(r.status).toBe(Status.Ok)
    expect(r.text).toBe(res.text)
  })

  it('reads the VM configuration in any step', async () => {
    const { gw } = await startHostcalls({ vmConfig: 'vm-config-bytes=1' })
    const res = await send(gw, { headers: callHeaders(get(BufferType.VmConfiguration, 'request_headers')) })
    expect(report(res)).toMatchObject({ status: Status.Ok, text: 'vm-config-bytes=1' })
  })

  it('reads the plugin configuration in on_configure, and gets NotFound for it during a request', async () => {
    const config = 'call=proxy_get_buffer_bytes on=configure buffer=7'
    const { gw } = await startHostcalls({ config })
    const line = await waitLine(gw, 'hc tag=root n=1 step=configure call=proxy_get_buffer_bytes ')
    expect(parseReport(line.slice(line.indexOf('status=')))).toMatchObject({ status: Status.Ok, text: config })
    const res = await send(gw, { headers: callHeaders(get(BufferType.PluginConfiguration, 'request_headers')) })
    expect(report(res).status).toBe(Status.NotFound)
  })

  it('returns BadArgument for an unknown buffer type, NotFound for one not available in this step', async () => {
    // cpp-host exports.cc get_buffer_bytes: type > MAX is BadArgument; getBuffer() == nullptr is NotFound.
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(get(99, 'request_headers'), get(BufferType.HttpCallResponseBody, 'request_headers')) })
    expect(report(res, 1).status).toBe(Status.BadArgument)
    expect(report(res, 2).status).toBe(Status.NotFound)
  })

  it('reads an empty plugin configuration in on_configure as Ok with (0, 0)', async () => {
    // cpp-host: length 0 writes ptr 0 and size 0 and returns Ok; the buffer exists during configure.
    const { gw } = await startHostcalls({ vmConfig: 'call=proxy_get_buffer_bytes on=configure buffer=7' })
    const line = await waitLine(gw, 'hc tag=root n=1 step=configure call=proxy_get_buffer_bytes ')
    expect(parseReport(line.slice(line.indexOf('status=')))).toMatchObject({ status: Status.Ok, size: 0 })
  })

  it('rejects out-of-bounds return pointers with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls({ vmConfig: 'x=1' })
    await expectEachOob(gw, get(BufferType.VmConfiguration, 'request_headers'), [
      [3, OOB_PTR],
      [4, OOB_PTR],
    ])
  })

  it('fails cleanly when the guest allocator returns 0 or garbage', async () => {
    const { gw } = await startHostcalls({ vmConfig: 'x=1' })
    await expectAllocatorFailuresHandled(gw, get(BufferType.VmConfiguration, 'request_headers'))
  })
})
