// proxy_on_http_call_response(root_ctx, token, num_headers, body_size, num_trailers): on the root
// context (cpp-host issues calls from it), with the token http_call returned (reference §1.3).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, logLines, eventually, parseReport, newTag } from '../support/hostcalls.ts'

describe('proxy_on_http_call_response', () => {
  it('arrives on the root context with the token, header count and body size', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1' })
    const tag = newTag('hcr')
    const res = await send(gw, { headers: { 'x-test-tag': tag, 'x-test-flow': 'callout', 'x-test-cluster': 'callout' } })
    expect(res.status).toBe(200)
    const dispatched = logLines(gw, `hc tag=${tag} n=callout `)[0]!
    const token = parseReport(dispatched.slice(dispatched.indexOf('status='))).u32
    const line = await eventually(() => logLines(gw, 'cb http_call_response ').find((l) => l.endsWith(`tag=${tag}`)), 'the callout response')
    const root = /ctx=(\d+)/.exec(logLines(gw, 'cb configure ')[0]!)![1]
    expect(line).toMatch(new RegExp(`^cb http_call_response ctx=${root} token=${token} headers=[1-9]\\d* body=\\d+ trailers=0 `))
    expect(Number(/body=(\d+)/.exec(line)![1])).toBe(Number(res.json().headers['x-callout-body-size']))
  })
})
