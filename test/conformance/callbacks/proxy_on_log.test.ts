// proxy_on_log(ctx): once per request after on_done, with request and response headers readable
// (Envoy's access-log phase; reference §1.3).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, logReport, newTag } from '../support/hostcalls.ts'
import { endLines, names } from '../support/end-of-request.ts'

describe('proxy_on_log', () => {
  it('is called once per request, between on_done and on_delete', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1' })
    const tag = newTag('log1')
    await send(gw, { headers: { 'x-test-tag': tag } })
    expect(names(await endLines(gw, tag)).filter((n) => n === 'log')).toHaveLength(1)
  })

  it('can read the request and response headers', async () => {
    const { gw } = await startHostcalls()
    const tag = newTag('logread')
    await send(gw, {
      headers: { 'x-test-tag': tag, 'x-seen': 'yes', ...callHeaders({ call: 'proxy_get_header_map_value', map: 0, key: 'x-seen', on: 'log' }, { call: 'proxy_get_header_map_value', map: 2, key: ':status', on: 'log' }) },
    })
    expect(await logReport(gw, tag, 1, 'log')).toMatchObject({ status: 0, text: 'yes' })
    expect(await logReport(gw, tag, 2, 'log')).toMatchObject({ status: 0, text: '200' })
  })
})
