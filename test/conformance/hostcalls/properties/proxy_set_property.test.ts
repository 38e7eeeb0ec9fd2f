// proxy_set_property(path, value): Envoy stores the value in the stream's filter state and a
// later get_property of that name finds it; on a root context (no stream) it is NotFound
// (reference §2.2 "set_property").
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, OOB_PTR, HUGE_LEN, propPath, expectEachOob, waitLine, parseReport, newTag } from '../../support/hostcalls.ts'

describe('proxy_set_property', () => {
  it('stores a value that get_property reads back later in the same request', async () => {
    const { gw } = await startHostcalls()
    const name = newTag('prop')
    const res = await send(gw, {
      headers: callHeaders({ call: 'proxy_set_property', path: name, value: 'custom-value' }, { call: 'proxy_get_property', path: name, on: 'response_headers' }),
    })
    expect(report(res, 1).status).toBe(Status.Ok)
    expect(report(res, 2)).toMatchObject({ status: Status.Ok, text: 'custom-value' })
  })

  it('keeps values per request (another request does not see them)', async () => {
    const { gw } = await startHostcalls()
    const name = newTag('scoped')
    await send(gw, { headers: callHeaders({ call: 'proxy_set_property', path: name, value: 'v' }) })
    const res = await send(gw, { headers: callHeaders({ call: 'proxy_get_property', path: name }) })
    expect(report(res).status).toBe(Status.NotFound)
  })

  it('returns NotFound on a root context', async () => {
    const { gw } = await startHostcalls({ config: `call=proxy_set_property on=configure path=${propPath('x')} value=1` })
    const line = await waitLine(gw, 'step=configure call=proxy_set_property ')
    expect(parseReport(line.slice(line.indexOf('status='))).status).toBe(Status.NotFound)
  })

  it('rejects out-of-bounds pointers and lengths with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls()
    await expectEachOob(gw, { call: 'proxy_set_property', path: 'p', value: 'v' }, [
      [0, OOB_PTR],
      [1, HUGE_LEN],
      [2, OOB_PTR],
      [3, HUGE_LEN],
    ])
  })
})
