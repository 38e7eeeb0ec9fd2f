// proxy_continue_request() -> i32 (ABI 0.1.0 only; cpp-host declares it returning a Word).
import { describe, expect, it } from 'vitest'
import { runV010 } from './abi-0_1_0-support.ts'

describe('proxy_continue_request (0.1.0)', () => {
  it('links as () -> i32 and returns Ok; the request proceeds', async () => {
    const { res, status } = await runV010()
    expect(res.status).toBe(200)
    expect(status(1)).toBe(0)
  })
})
