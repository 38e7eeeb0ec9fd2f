// proxy_done(): finishes a context whose proxy_on_done returned false; NotFound when the calling
// context is not pending (reference §1.4, §3.1; cpp-host honours false only for root contexts).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, expectHealthy } from '../../support/hostcalls.ts'

describe('proxy_done', () => {
  it('returns NotFound from a stream context that is not pending', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders({ call: 'proxy_done' }) })
    expect(res.status).toBe(200)
    expect(report(res).status).toBe(Status.NotFound)
    await expectHealthy(gw)
  })

  it('returns NotFound from a root context that is not shutting down', async () => {
    const { gw } = await startHostcalls({ config: 'call=proxy_done on=configure' })
    const { waitLine, parseReport } = await import('../../support/hostcalls.ts')
    const line = await waitLine(gw, 'step=configure call=proxy_done ')
    expect(parseReport(line.slice(line.indexOf('status='))).status).toBe(Status.NotFound)
  })
})
