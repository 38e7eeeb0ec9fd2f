// proxy_on_response_body(ctx, body_size, end_of_stream): per chunk; with Pause the host buffers
// and reports the cumulative size; the last call has end_of_stream = 1 (reference §3.8).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, logLines, eventually, newTag } from '../support/hostcalls.ts'

describe('proxy_on_response_body', () => {
  it('delivers the response body in calls whose sizes add up, the last with end_of_stream', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1' })
    const tag = newTag('rb')
    const res = await send(gw, { headers: { 'x-test-tag': tag } })
    const lines = await eventually(() => {
      const l = logLines(gw, 'cb response_body ').filter((x) => x.endsWith(`tag=${tag}`))
      return l.some((x) => x.includes(' eos=1 ')) ? l : undefined
    }, 'the end_of_stream response body call')
    expect(lines.map((l) => Number(/size=(\d+)/.exec(l)![1])).reduce((a, b) => a + b, 0)).toBe(Buffer.byteLength(res.text))
  })

  it('with Pause until end of stream, the last call reports the whole buffered body', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1' })
    const tag = newTag('rbb')
    const res = await send(gw, { headers: { 'x-test-tag': tag, 'x-test-hold': 'response_body' } })
    const total = Buffer.byteLength(res.text)
    const line = await eventually(() => logLines(gw, `body tag=${tag} step=response_body `)[0], 'the buffered body line')
    expect(line).toContain(` size=${total} `)
    expect(line).toContain(` got=${total}`)
  })
})
