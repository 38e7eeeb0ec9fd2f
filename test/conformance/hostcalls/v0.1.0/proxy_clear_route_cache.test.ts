// proxy_clear_route_cache() -> i32 (ABI 0.1.0 only; Envoy later exposed it as a foreign function).
import { describe, expect, it } from 'vitest'
import { runV010 } from './abi-0_1_0-support.ts'

describe('proxy_clear_route_cache (0.1.0)', () => {
  it('links as () -> i32 and returns Ok', async () => {
    const { res, status } = await runV010()
    expect(res.status).toBe(200)
    expect(status(2)).toBe(0)
  })
})
