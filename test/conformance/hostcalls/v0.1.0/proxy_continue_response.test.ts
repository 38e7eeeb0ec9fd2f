// proxy_continue_response() -> i32 (ABI 0.1.0 only).
import { describe, expect, it } from 'vitest'
import { runV010 } from './abi-0_1_0-support.ts'

describe('proxy_continue_response (0.1.0)', () => {
  it('links as () -> i32 and returns Ok in the 2-parameter on_response_headers', async () => {
    const { res } = await runV010()
    expect(res.status).toBe(200)
    expect(res.header('x-v010-resp')).toBe('a')
  })
})
