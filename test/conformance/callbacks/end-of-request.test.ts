// proxy_on_done, proxy_on_log, proxy_on_delete: once each at the end of every request, also
// aborted ones and local replies, in the spec's order: on_done, then on_log ("called after
// on_done"), then on_delete last (reference §1.3, §3.1).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, logLines, eventually, newTag } from '../support/hostcalls.ts'
import { openSocket } from '../support/raw-http.ts'

async function endLines(gw: Parameters<typeof logLines>[0], tag: string): Promise<string[]> {
  return eventually(() => {
    const l = logLines(gw, 'cb ').filter((x) => /^cb (done|log|delete) /.test(x) && x.endsWith(`tag=${tag}`))
    return l.some((x) => x.startsWith('cb delete ')) ? l : undefined
  }, `on_delete for ${tag}`)
}

describe('end of request callbacks', () => {
  it('a normal request: on_done, on_log, on_delete once each, in that order', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1' })
    const tag = newTag('end')
    expect((await send(gw, { headers: { 'x-test-tag': tag } })).status).toBe(200)
    expect((await endLines(gw, tag)).map((l) => l.split(' ')[1])).toEqual(['done', 'log', 'delete'])
  })

  it('a local reply from request_headers also ends with on_done, on_log, on_delete', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1' })
    const tag = newTag('endlr')
    expect((await send(gw, { headers: { 'x-test-tag': tag, ...callHeaders({ call: 'proxy_send_local_response', code: 401 }) } })).status).toBe(401)
    expect((await endLines(gw, tag)).map((l) => l.split(' ')[1])).toEqual(['done', 'log', 'delete'])
  })

  it('a request aborted by the client mid-body still ends with on_done, on_log, on_delete', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1' })
    const tag = newTag('abort')
    const s = await openSocket(gw.url)
    s.write(`POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\nx-test-tag: ${tag}\r\n\r\npartial body`)
    await eventually(() => logLines(gw, 'cb request_headers ').some((l) => l.endsWith(`tag=${tag}`)), 'request_headers')
    s.destroy()
    expect((await endLines(gw, tag)).map((l) => l.split(' ')[1])).toEqual(['done', 'log', 'delete'])
  })

  it('headers and the response are readable in on_log', async () => {
    const { gw } = await startHostcalls()
    const tag = newTag('logread')
    await send(gw, { headers: { 'x-test-tag': tag, 'x-seen': 'yes', ...callHeaders({ call: 'proxy_get_header_map_value', map: 0, key: 'x-seen', on: 'log' }, { call: 'proxy_get_header_map_value', map: 2, key: ':status', on: 'log' }) } })
    const { logReport } = await import('../support/hostcalls.ts')
    expect(await logReport(gw, tag, 1, 'log')).toMatchObject({ status: 0, text: 'yes' })
    expect(await logReport(gw, tag, 2, 'log')).toMatchObject({ status: 0, text: '200' })
  })
})
