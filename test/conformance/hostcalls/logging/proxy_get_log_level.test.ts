// proxy_get_log_level(ret_level_ptr) (ABI 0.2.1 only): the host's current level in proxy-wasm
// numbers, TRACE=0 .. CRITICAL=5 (reference §1.4, §1.5).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, OOB_PTR, expectEachOob } from '../../support/hostcalls.ts'

const spec = { call: 'proxy_get_log_level' }

describe('proxy_get_log_level', () => {
  for (const [level, expected] of [['trace', 0], ['debug', 1], ['info', 2], ['warn', 3], ['error', 4]] as const) {
    it(`is ${expected} when the gateway logs at ${level}`, async () => {
      const { gw } = await startHostcalls({ logLevel: level })
      const res = await send(gw, { headers: callHeaders(spec) })
      expect(report(res)).toMatchObject({ status: Status.Ok, u32: expected })
    })
  }

  it('rejects an out-of-bounds return pointer with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls()
    await expectEachOob(gw, spec, [[0, OOB_PTR]])
  })
})
