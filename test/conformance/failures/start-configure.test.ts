// proxy_on_vm_start / proxy_on_configure returning false or trapping refuse the filter
// (WG_ERR_FILTER_START_FAILED / _CONFIGURE_FAILED; Envoy: "the proxy will not start").
import { describe, expect, it } from 'vitest'
import { startHostcalls } from '../support/hostcalls.ts'
import { watFixture } from '../support/wat.ts'

async function codeOf(start: Promise<unknown>): Promise<string> {
  try {
    await start
  } catch (err) {
    return String((err as { code?: string }).code)
  }
  throw new Error('the gateway started with a filter it must refuse')
}

describe('vm_start and configure failures', () => {
  it('vm_start returning false: WG_ERR_FILTER_START_FAILED', async () => {
    expect(await codeOf(startHostcalls({ source: await watFixture('vm-start-false') }))).toBe('WG_ERR_FILTER_START_FAILED')
  })

  it('configure returning false: WG_ERR_FILTER_CONFIGURE_FAILED', async () => {
    expect(await codeOf(startHostcalls({ source: await watFixture('configure-false') }))).toBe('WG_ERR_FILTER_CONFIGURE_FAILED')
  })

  it('vm_start false from the AS filter (fail=vm_start in the VM config)', async () => {
    expect(await codeOf(startHostcalls({ vmConfig: 'fail=vm_start' }))).toBe('WG_ERR_FILTER_START_FAILED')
  })

  it('configure false from the AS filter (fail=configure)', async () => {
    expect(await codeOf(startHostcalls({ config: 'fail=configure' }))).toBe('WG_ERR_FILTER_CONFIGURE_FAILED')
  })

  it('a trap in vm_start: WG_ERR_FILTER_START_FAILED', async () => {
    expect(await codeOf(startHostcalls({ vmConfig: 'trap=vm_start' }))).toBe('WG_ERR_FILTER_START_FAILED')
  })

  it('a trap in the root on_context_create: the filter cannot start', async () => {
    expect(await codeOf(startHostcalls({ vmConfig: 'trap=context_create' }))).toBe('WG_ERR_FILTER_START_FAILED')
  })

  it('a trap in configure: WG_ERR_FILTER_CONFIGURE_FAILED', async () => {
    expect(await codeOf(startHostcalls({ config: 'trap=configure' }))).toBe('WG_ERR_FILTER_CONFIGURE_FAILED')
  })

  it('an abort in configure: WG_ERR_FILTER_CONFIGURE_FAILED', async () => {
    expect(await codeOf(startHostcalls({ config: 'abort=configure' }))).toBe('WG_ERR_FILTER_CONFIGURE_FAILED')
  })

  it('an infinite loop in configure does not hang startup', async () => {
    const code = await codeOf(startHostcalls({ config: 'loop=configure' }))
    expect(['WG_ERR_FILTER_CONFIGURE_FAILED', 'WG_ERR_FILTER_DEADLINE']).toContain(code)
  })
})
