// proxy_get_buffer_status(type, ret_size_ptr, ret_flags_ptr): the buffer's size; cpp-host always
// writes flags = 0 (reference §1.4, §1.9 #8); an unavailable buffer gives NotFound.
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, BufferType, OOB_PTR, expectEachOob } from '../../support/hostcalls.ts'

const status = (buffer: number, on: string) => ({ call: 'proxy_get_buffer_status', buffer, on, eos_only: 1 })

describe('proxy_get_buffer_status', () => {
  it('reports the size of the buffered request body, flags 0', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { method: 'POST', body: '0123456789', headers: { 'x-test-hold': 'request_body', ...callHeaders(status(0, 'request_body')) } })
    expect(report(res)).toMatchObject({ status: Status.Ok, u32: 10, u32b: 0 })
  })

  it('reports the size of the VM configuration', async () => {
    const { gw } = await startHostcalls({ vmConfig: 'abc=12345' })
    const res = await send(gw, { headers: callHeaders(status(BufferType.VmConfiguration, 'request_headers')) })
    expect(report(res)).toMatchObject({ status: Status.Ok, u32: 9 })
  })

  it('returns NotFound for the plugin configuration outside on_configure, BadArgument for unknown types', async () => {
    const { gw } = await startHostcalls({ config: 'a=1' })
    const res = await send(gw, { headers: callHeaders(status(BufferType.PluginConfiguration, 'request_headers'), status(99, 'request_headers')) })
    expect(report(res, 1).status).toBe(Status.NotFound)
    expect(report(res, 2).status).toBe(Status.BadArgument)
  })

  it('rejects out-of-bounds return pointers with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls({ vmConfig: 'x=1' })
    await expectEachOob(gw, status(BufferType.VmConfiguration, 'request_headers'), [
      [1, OOB_PTR],
      [2, OOB_PTR],
    ])
  })
})
