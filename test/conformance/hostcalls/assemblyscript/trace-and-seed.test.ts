// env.trace(message, n, a0..a4) and env.seed() -> f64: AssemblyScript builtins a host provides
// so modules built without wasi-shim still link (reference §1.8).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, waitLine } from '../../support/hostcalls.ts'
import { watFixture } from '../../support/wat.ts'

describe('env.trace and env.seed', () => {
  it('links both; seed gives a finite number and trace logs the decoded UTF-16 message', async () => {
    const { gw } = await startHostcalls({ source: await watFixture('env-trace-seed') })
    const res = await send(gw)
    expect(res.status).toBe(200)
    const line = await waitLine(gw, 'trace-marker')
    expect(line).toContain('42')
  })
})
