// proxy_set_buffer_bytes(type, start, size, value_ptr, value_size). Envoy supports exactly:
// start == 0 && size == 0 prepend; start == 0 && size >= len replace; start >= len append;
// anything else BadArgument (envoy context.cc Buffer::copyFrom). The proxy fixes content-length
// when a body changes.
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, BufferType, OOB_PTR, HUGE_LEN, expectEachOob, newTag, logReport } from '../../support/hostcalls.ts'

const set = (buffer: number, on: string, start: number, size: number, value: string) => ({ call: 'proxy_set_buffer_bytes', buffer, on, eos_only: 1, start, size, value })
const buffered = (step: string) => ({ 'x-test-hold': step })

describe('proxy_set_buffer_bytes', () => {
  it('replaces the whole buffered request body; the upstream gets the new body and length', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { method: 'POST', body: 'original body', headers: { ...buffered('request_body'), ...callHeaders(set(0, 'request_body', 0, 0xffffffff, 'replaced')) } })
    expect(report(res).status).toBe(Status.Ok)
    const echo = res.json()
    expect(echo.body).toBe('replaced')
    if (echo.headers['content-length'] !== undefined) expect(echo.headers['content-length']).toBe('8')
  })

  it('prepends with (0, 0) and appends with start >= length', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { method: 'POST', body: 'middle', headers: { ...buffered('request_body'), ...callHeaders(set(0, 'request_body', 0, 0, 'pre-'), set(0, 'request_body', 1000, 0, '-post')) } })
    expect(report(res, 1).status).toBe(Status.Ok)
    expect(report(res, 2).status).toBe(Status.Ok)
    expect(res.json().body).toBe('pre-middle-post')
  })

  it('returns BadArgument for a replace in the middle (Envoy supports only prepend/replace/append)', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { method: 'POST', body: 'abcdef', headers: { ...buffered('request_body'), ...callHeaders(set(0, 'request_body', 2, 1, 'X')) } })
    expect(report(res).status).toBe(Status.BadArgument)
    expect(res.json().body).toBe('abcdef')
  })

  it('replaces the buffered response body; the client gets a consistent length', async () => {
    const { gw } = await startHostcalls()
    const tag = newTag()
    const res = await send(gw, { headers: { 'x-test-tag': tag, ...buffered('response_body'), ...callHeaders(set(BufferType.ResponseBody, 'response_body', 0, 0xffffffff, 'new response body')) } })
    expect(res.status).toBe(200)
    expect(res.text).toBe('new response body')
    expect((await logReport(gw, tag, 1, 'response_body')).status).toBe(Status.Ok)
    const cl = res.header('content-length')
    if (cl !== undefined) expect(cl).toBe(String(Buffer.byteLength('new response body')))
  })

  it('does not let a filter change the VM configuration', async () => {
    const { gw } = await startHostcalls({ vmConfig: 'keep=1' })
    const res = await send(gw, { headers: callHeaders(set(BufferType.VmConfiguration, 'request_headers', 0, 0xffffffff, 'changed'), { call: 'proxy_get_buffer_bytes', buffer: BufferType.VmConfiguration }) })
    expect(report(res, 1).status).not.toBe(Status.Ok)
    expect(report(res, 2).text).toBe('keep=1')
  })

  it('rejects out-of-bounds value pointers and lengths with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls()
    const spec = { ...set(0, 'request_headers', 0, 0, 'x'), eos_only: undefined }
    await expectEachOob(gw, spec, [
      [3, OOB_PTR],
      [4, HUGE_LEN],
    ])
  })
})
