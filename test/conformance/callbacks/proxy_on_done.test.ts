// proxy_on_done(ctx) -> bool: once at the end of every request (completed, local reply, aborted
// by the client), before on_log and on_delete (spec: on_log is "called after on_done"); and for the
// root context when the plugin shuts down (cpp-host startShutdown; reference §1.3, §3.1).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, logLines, eventually, newTag } from '../support/hostcalls.ts'
import { openSocket } from '../support/raw-http.ts'
import { endLines, names } from '../support/end-of-request.ts'

describe('proxy_on_done', () => {
  it('a normal request: on_done, on_log, on_delete once each, in that order', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1' })
    const tag = newTag('end')
    expect((await send(gw, { headers: { 'x-test-tag': tag } })).status).toBe(200)
    expect(names(await endLines(gw, tag))).toEqual(['done', 'log', 'delete'])
  })

  it('a local reply from request_headers also ends with on_done, on_log, on_delete', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1' })
    const tag = newTag('endlr')
    expect((await send(gw, { headers: { 'x-test-tag': tag, ...callHeaders({ call: 'proxy_send_local_response', code: 401 }) } })).status).toBe(401)
    expect(names(await endLines(gw, tag))).toEqual(['done', 'log', 'delete'])
  })

  it('a request aborted by the client mid-body still ends with on_done, on_log, on_delete', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1' })
    const tag = newTag('abort')
    const s = await openSocket(gw.url)
    s.write(`POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\nx-test-tag: ${tag}\r\n\r\npartial body`)
    await eventually(() => logLines(gw, 'cb request_headers ').some((l) => l.endsWith(`tag=${tag}`)), 'request_headers')
    s.destroy()
    expect(names(await endLines(gw, tag))).toEqual(['done', 'log', 'delete'])
  })

  it('is called for the root context when the gateway shuts down', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1' })
    const root = /ctx=(\d+)/.exec(logLines(gw, 'cb configure ')[0]!)![1]
    await gw.close()
    await eventually(() => logLines(gw, `cb done ctx=${root} `).length === 1, 'on_done for the root context')
  })
})
