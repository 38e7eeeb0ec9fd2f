// proxy_on_vm_start(root_ctx, vm_config_size): called once per root context with the VM
// configuration's size; the bytes come from get_buffer_bytes(VM_CONFIGURATION) (reference §1.3).
import { describe, expect, it } from 'vitest'
import { startHostcalls, logLines } from '../support/hostcalls.ts'

describe('proxy_on_vm_start', () => {
  it('gets the root context id and the VM configuration size, before configure', async () => {
    const vmConfig = 'log_callbacks=1 some=vm-config'
    const { gw } = await startHostcalls({ vmConfig, config: 'log_callbacks=1' })
    const start = logLines(gw, 'cb vm_start ')
    expect(start).toHaveLength(1)
    expect(start[0]).toContain(` size=${Buffer.byteLength(vmConfig)} `)
    const rootId = /ctx=(\d+)/.exec(logLines(gw, 'cb configure ')[0]!)![1]
    expect(start[0]).toContain(`ctx=${rootId} `)
    expect(start[0]).toContain(' root_created=1 ')
    const all = logLines(gw, 'cb ')
    expect(all.findIndex((l) => l.startsWith('cb vm_start'))).toBeLessThan(all.findIndex((l) => l.startsWith('cb configure')))
  })

  it('gets size 0 when there is no VM configuration', async () => {
    const { gw } = await startHostcalls({ config: 'log_callbacks=1', vmConfig: '' })
    expect(logLines(gw, 'cb configure ')).toHaveLength(1)
  })
})
