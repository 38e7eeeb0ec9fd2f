// The WASI functions are offered under both `wasi_snapshot_preview1` and `wasi_unstable`
// (cpp-host registers both; older Emscripten builds use the latter; reference §1.8).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, waitLine } from '../../support/hostcalls.ts'
import { watFixture } from '../../support/wat.ts'

describe('wasi_unstable', () => {
  it('links fd_write from wasi_unstable and logs what it writes', async () => {
    const { gw } = await startHostcalls({ source: await watFixture('wasi-unstable') })
    expect((await send(gw)).status).toBe(200)
    await waitLine(gw, 'wasi-unstable-marker')
  })
})
