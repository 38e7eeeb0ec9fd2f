// A module that is not Wasm, has no ABI marker, imports something the host does not provide
// (or with the wrong type, or from another ABI version), or lacks an allocator is refused at
// load with a clear error naming what is wrong (issue 3 "Loading"; STYLE §4 "Bad .wasm").
import { describe, expect, it } from 'vitest'
import { startHostcalls } from '../support/hostcalls.ts'
import { watFixture, tempWasm } from '../support/wat.ts'

async function refusal(source: string): Promise<{ code: string; message: string }> {
  try {
    await startHostcalls({ source })
  } catch (err) {
    const e = err as { code?: string; message?: string }
    return { code: String(e.code), message: String(e.message) }
  }
  throw new Error('the gateway started with a module it must refuse')
}

describe('modules refused at load', () => {
  it('not Wasm at all: WG_ERR_WASM_INVALID', async () => {
    const r = await refusal(tempWasm(Buffer.from('this is not a wasm module\n'), 'text.wasm'))
    expect(r.code).toBe('WG_ERR_WASM_INVALID')
  })

  it('truncated Wasm (magic only): WG_ERR_WASM_INVALID', async () => {
    const r = await refusal(tempWasm(Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01]), 'cut.wasm'))
    expect(r.code).toBe('WG_ERR_WASM_INVALID')
  })

  it('no proxy_abi_version_* export: WG_ERR_WASM_ABI_UNSUPPORTED', async () => {
    const r = await refusal(await watFixture('no-abi-marker'))
    expect(r.code).toBe('WG_ERR_WASM_ABI_UNSUPPORTED')
  })

  it('the marker exported as a global, not a function: WG_ERR_WASM_ABI_UNSUPPORTED', async () => {
    const r = await refusal(await watFixture('marker-not-a-function'))
    expect(r.code).toBe('WG_ERR_WASM_ABI_UNSUPPORTED')
  })

  it('an import from a module no host provides: WG_ERR_WASM_UNKNOWN_IMPORT, naming it', async () => {
    const r = await refusal(await watFixture('import-unknown-module'))
    expect(r.code).toBe('WG_ERR_WASM_UNKNOWN_IMPORT')
    expect(r.message).toContain('not_a_host_module')
  })

  it('an import the host does not provide: WG_ERR_WASM_UNKNOWN_IMPORT, naming it', async () => {
    const r = await refusal(await watFixture('unknown-import'))
    expect(r.code).toBe('WG_ERR_WASM_UNKNOWN_IMPORT')
    expect(r.message).toContain('proxy_does_not_exist')
  })

  it('a known import with the wrong signature: refused, naming it', async () => {
    const r = await refusal(await watFixture('wrong-signature-import'))
    expect(['WG_ERR_WASM_UNKNOWN_IMPORT', 'WG_ERR_WASM_INVALID', 'WG_ERR_VM_INSTANTIATE']).toContain(r.code)
    expect(r.message).toContain('proxy_log')
  })

  it('a 0.2.1 module importing a 0.1.0-only function: refused, naming it', async () => {
    const r = await refusal(await watFixture('v021-imports-v010-only'))
    expect(['WG_ERR_WASM_UNKNOWN_IMPORT', 'WG_ERR_VM_INSTANTIATE']).toContain(r.code)
    expect(r.message).toContain('proxy_continue_request')
  })

  it('a 0.2.0 module importing proxy_get_log_level (0.2.1 only): refused, naming it', async () => {
    const r = await refusal(await watFixture('v020-imports-get-log-level'))
    expect(['WG_ERR_WASM_UNKNOWN_IMPORT', 'WG_ERR_VM_INSTANTIATE']).toContain(r.code)
    expect(r.message).toContain('proxy_get_log_level')
  })

  it('no malloc and no proxy_on_memory_allocate: WG_ERR_WASM_MISSING_EXPORT, naming both', async () => {
    const r = await refusal(await watFixture('missing-allocator'))
    expect(r.code).toBe('WG_ERR_WASM_MISSING_EXPORT')
    expect(r.message).toMatch(/malloc|proxy_on_memory_allocate/)
  })
})
