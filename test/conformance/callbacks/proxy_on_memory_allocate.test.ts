// proxy_on_memory_allocate(size) -> ptr (and `malloc`): how the host returns memory to the guest.
// cpp-host uses `malloc` first, then proxy_on_memory_allocate (reference §1.2 #7); the hostcalls
// filter exports both. Failure cases are in failures/allocator.test.ts.
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status } from '../support/hostcalls.ts'
import { watFixture } from '../support/wat.ts'

describe('proxy_on_memory_allocate', () => {
  it('is used when it is the only allocator (Rust and Go SDKs)', async () => {
    const { gw } = await startHostcalls({ source: await watFixture('allocator-fallback') })
    expect((await send(gw)).status).toBe(200)
  })

  it('returned memory holds exactly the bytes the host copied (large values too)', async () => {
    const { gw } = await startHostcalls()
    const big = 'v'.repeat(8000)
    const res = await send(gw, { headers: { 'x-big': big, ...callHeaders({ call: 'proxy_get_header_map_value', map: 0, key: 'x-big' }) } })
    expect(report(res)).toMatchObject({ status: Status.Ok, text: big })
  })
})
