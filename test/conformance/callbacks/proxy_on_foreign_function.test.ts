// proxy_on_foreign_function(root_ctx, function_id, args_size) (0.2.0+): only called by host
// functions that complete asynchronously (Kong's resolve_lua). wasmgate registers none, so a module
// exporting it loads and it is never called.
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, logLines } from '../support/hostcalls.ts'

describe('proxy_on_foreign_function', () => {
  it('is exported by the filter, which loads, and is not called by an unknown foreign call', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1' })
    const res = await send(gw, { headers: callHeaders({ call: 'proxy_call_foreign_function', name: 'anything' }) })
    expect(report(res).status).toBe(Status.NotFound)
    expect(logLines(gw, 'cb foreign_function ')).toHaveLength(0)
  })
})
