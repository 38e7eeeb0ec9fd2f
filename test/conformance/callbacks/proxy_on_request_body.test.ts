// proxy_on_request_body(ctx, body_size, end_of_stream): once per chunk; with Pause the host
// buffers and reports the cumulative size, the last call has end_of_stream = 1 and sees the whole
// body (Envoy StopIterationAndBuffer; reference §1.3, §3.8).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, logLines, eventually, newTag } from '../support/hostcalls.ts'

async function* chunks(parts: string[]) {
  for (const p of parts) yield Buffer.from(p)
}

const bodyLines = (gw: Parameters<typeof logLines>[0], tag: string) => logLines(gw, 'cb request_body ').filter((l) => l.endsWith(`tag=${tag}`))

describe('proxy_on_request_body', () => {
  it('streams chunks whose sizes add up to the body, the last with end_of_stream', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1' })
    const tag = newTag('stream')
    const parts = ['a'.repeat(1000), 'b'.repeat(2000), 'c'.repeat(3000)]
    const res = await send(gw, { method: 'POST', body: chunks(parts), headers: { 'x-test-tag': tag } })
    expect(res.json().body).toBe(parts.join(''))
    const lines = await eventually(() => {
      const l = bodyLines(gw, tag)
      return l.some((x) => x.includes(' eos=1 ')) ? l : undefined
    }, 'the end_of_stream body call')
    const sizes = lines.map((l) => Number(/size=(\d+)/.exec(l)![1]))
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(6000)
    expect(lines.at(-1)).toContain(' eos=1 ')
  })

  it('with Pause until end of stream: cumulative sizes, and the last call sees the whole body', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1' })
    const tag = newTag('buffered')
    const parts = ['x'.repeat(4000), 'y'.repeat(4000), 'z'.repeat(4000)]
    const res = await send(gw, { method: 'POST', body: chunks(parts), headers: { 'x-test-tag': tag, 'x-test-hold': 'request_body' } })
    expect(res.json().body).toBe(parts.join(''))
    const lines = bodyLines(gw, tag)
    const sizes = lines.map((l) => Number(/size=(\d+)/.exec(l)![1]))
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeGreaterThanOrEqual(sizes[i - 1]!)
    expect(sizes.at(-1)).toBe(12000)
    const body = logLines(gw, `body tag=${tag} step=request_body `)[0]!
    expect(body).toContain(' status=0 ')
    expect(body).toContain(' got=12000')
  })

  it('is not called for a request without a body', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1' })
    const tag = newTag('nobody')
    await send(gw, { headers: { 'x-test-tag': tag } })
    await eventually(() => logLines(gw, 'cb delete ').some((l) => l.endsWith(`tag=${tag}`)), 'the end of the request')
    expect(bodyLines(gw, tag)).toHaveLength(0)
  })
})
