// proxy_on_configure(root_ctx, plugin_config_size): the plugin configuration's size; object
// configs arrive as JSON bytes, strings raw (DESIGN config; reference §3.2).
import { describe, expect, it } from 'vitest'
import { startHostcalls, logLines, HOSTCALLS_WASM, waitLine } from '../support/hostcalls.ts'
import { startGateway } from '../../helpers/gateway.ts'

describe('proxy_on_configure', () => {
  it('gets the root context id and the raw size of a string configuration', async () => {
    const config = 'log_callbacks=1 extra=configuration'
    const { gw } = await startHostcalls({ config })
    const line = logLines(gw, 'cb configure ')[0]!
    expect(line).toContain(` size=${Buffer.byteLength(config)} `)
  })

  it('gets an object configuration as JSON bytes (size of its compact JSON)', async () => {
    const config = { log_callbacks: 1, nested: { list: [1, 2, 3] }, text: 'x y' }
    const gw = await startGateway({ filters: [{ name: 'json-config', source: HOSTCALLS_WASM, config, vmConfig: 'log_callbacks=1' }] })
    const line = await waitLine(gw as never, 'cb configure ')
    expect(line).toContain(` size=${Buffer.byteLength(JSON.stringify(config))} `)
  })
})
