// proxy_get_configuration(ret_ptr, ret_size) (ABI 0.1.0 only; replaced by get_buffer_bytes(7) in
// 0.2.0): gives the plugin configuration in on_configure (reference §1.4, §1.7).
import { describe, expect, it } from 'vitest'
import { runV010 } from './abi-0_1_0-support.ts'

describe('proxy_get_configuration (0.1.0)', () => {
  it('returns the plugin configuration bytes in on_configure', async () => {
    const { res, echo } = await runV010('config-for-0.1.0')
    expect(res.status).toBe(200)
    expect(echo.headers['x-config']).toBe('config-for-0.1.0')
  })
})
