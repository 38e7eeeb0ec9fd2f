// env.abort(message, fileName, line, column): AssemblyScript's abort. The host decodes the
// UTF-16 message and file name (byte length at ptr-4) into the log with line:column, and the
// callback traps (issue 3; reference §1.8 "AssemblyScript specifics").
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, expectHealthy, waitLine, logRecords, newTag } from '../../support/hostcalls.ts'

describe('env.abort', () => {
  it('logs the decoded message and file:line, fails the request, and the proxy keeps serving', async () => {
    const { gw } = await startHostcalls()
    const tag = newTag('abort')
    const res = await send(gw, { headers: { 'x-test-tag': tag, 'x-test-abort': 'request_headers' } })
    expect(res.status).toBe(503)
    expect(res.json().code).toBe('WG_ERR_FILTER_TRAPPED')
    await waitLine(gw, `hostcalls abort tag=${tag} step=request_headers`)
    const rec = JSON.stringify(logRecords(gw, `hostcalls abort tag=${tag}`)[0])
    expect(rec).toMatch(/assembly\/index\.ts/)
    expect(rec).toMatch(/index\.ts\D{0,3}\d+/)
    expect(rec).toContain('hostcalls')
    await expectHealthy(gw)
  })
})
