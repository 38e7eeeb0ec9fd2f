// The guest allocator: malloc first, then proxy_on_memory_allocate (cpp-host order, reference
// §1.2); an allocator returning 0 or an out-of-bounds pointer makes the hostcall return
// InvalidMemoryAccess instead of trapping or throwing into the host.
import { describe, expect, it } from 'vitest'
import { startHostcalls, send } from '../support/hostcalls.ts'
import { watFixture } from '../support/wat.ts'

describe('guest allocator', () => {
  it('malloc returning 0: InvalidMemoryAccess to the guest, the proxy keeps serving', async () => {
    const { gw } = await startHostcalls({ source: await watFixture('malloc-zero') })
    expect((await send(gw)).status).toBe(206)
    expect((await send(gw)).status).toBe(206)
  })

  it('malloc returning garbage: InvalidMemoryAccess to the guest, the proxy keeps serving', async () => {
    const { gw } = await startHostcalls({ source: await watFixture('malloc-garbage') })
    expect((await send(gw)).status).toBe(206)
    expect((await send(gw)).status).toBe(206)
  })

  it('prefers malloc over proxy_on_memory_allocate when both are exported', async () => {
    const { gw } = await startHostcalls({ source: await watFixture('allocator-preference') })
    expect((await send(gw)).status).toBe(200)
  })

  it('uses proxy_on_memory_allocate when it is the only allocator', async () => {
    const { gw } = await startHostcalls({ source: await watFixture('allocator-fallback') })
    expect((await send(gw)).status).toBe(200)
  })
})
