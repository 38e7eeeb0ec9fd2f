// Start-up: a reactor's _initialize then main(0, 0), or a command's _start, run before any
// callback (cpp-host startVm; reference §1.3).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send } from '../support/hostcalls.ts'
import { watFixture } from '../support/wat.ts'

describe('start functions', () => {
  it('calls _initialize and then main for a WASI reactor', async () => {
    const { gw } = await startHostcalls({ source: await watFixture('start-reactor') })
    expect((await send(gw)).status).toBe(203)
  })

  it('calls _start for a WASI command (no _initialize)', async () => {
    const { gw } = await startHostcalls({ source: await watFixture('start-command') })
    expect((await send(gw)).status).toBe(201)
  })
})
