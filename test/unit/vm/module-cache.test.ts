import wabtInit from 'wabt'
import { describe, expect, it } from 'vitest'
import { isWasmgateError } from '../../../host/errors.ts'
import { compileModule, sha256Hex } from '../../../host/vm/module-cache.ts'
import { readFunctionImportTypes } from '../../../host/vm/import-types.ts'

let wabt: Awaited<ReturnType<typeof wabtInit>> | undefined
async function wat(text: string): Promise<Uint8Array> {
  wabt ??= await wabtInit()
  const mod = wabt.parseWat('t.wat', text)
  try {
    return new Uint8Array(mod.toBinary({}).buffer)
  } finally {
    mod.destroy()
  }
}

const body = (imports: string, exports = '(export "proxy_abi_version_0_2_1" (func $m)) (export "malloc" (func $a))') => `(module
  ${imports}
  (memory (export "memory") 1)
  (func $m)
  (func $a (param i32) (result i32) (i32.const 0))
  ${exports})`

async function refusal(bytes: Uint8Array): Promise<{ code: string; message: string }> {
  try {
    await compileModule(bytes)
  } catch (err) {
    if (isWasmgateError(err)) return { code: err.code, message: err.message }
    throw err
  }
  throw new Error('compiled a module it must refuse')
}

describe('module cache', () => {
  it('compiles once per sha256 and reports the ABI, allocator and exports', async () => {
    const bytes = await wat(body('(import "env" "proxy_log" (func (param i32 i32 i32) (result i32)))'))
    const a = await compileModule(bytes)
    const b = await compileModule(bytes.slice())
    expect(b).toBe(a)
    expect(a.sha256).toBe(sha256Hex(bytes))
    expect(a.abiVersion).toBe('0.2.1')
    expect(a.allocator).toBe('malloc')
    expect(a.budgetGlobal).toBeDefined()
  })

  it('refuses not-Wasm, no marker, no allocator, no memory export, and names what is wrong', async () => {
    expect((await refusal(Buffer.from('hello world'))).code).toBe('WG_ERR_WASM_INVALID')
    expect((await refusal(await wat(body('', '(export "malloc" (func $a))')))).code).toBe('WG_ERR_WASM_ABI_UNSUPPORTED')
    const noAlloc = await refusal(await wat(body('', '(export "proxy_abi_version_0_2_1" (func $m))')))
    expect(noAlloc.code).toBe('WG_ERR_WASM_MISSING_EXPORT')
    expect(noAlloc.message).toContain('proxy_on_memory_allocate')
  })

  it('refuses an import the version does not provide, and a known import with the wrong type', async () => {
    const other = await refusal(await wat(body('(import "env" "proxy_continue_request" (func (result i32)))')))
    expect(other.code).toBe('WG_ERR_WASM_UNKNOWN_IMPORT')
    expect(other.message).toContain('env.proxy_continue_request')
    const unknown = await refusal(await wat(body('(import "env" "nope" (func))')))
    expect(unknown.message).toContain('env.nope')
    const wrong = await refusal(await wat(body('(import "env" "proxy_log" (func (param i32) (result i32)))')))
    expect(wrong.code).toBe('WG_ERR_WASM_UNKNOWN_IMPORT')
    expect(wrong.message).toContain('env.proxy_log')
  })

  it('accepts i64 metric and clock parameters with their exact types', async () => {
    const ok = await compileModule(
      await wat(
        body(`(import "env" "proxy_record_metric" (func (param i32 i64) (result i32)))
              (import "wasi_unstable" "clock_time_get" (func (param i32 i64 i32) (result i32)))`),
      ),
    )
    expect(ok.imports).toContain('env.proxy_record_metric')
  })

  it('reads function import types from the binary', async () => {
    const types = readFunctionImportTypes(await wat(body('(import "env" "seed" (func (result f64))) (import "env" "proxy_increment_metric" (func (param i32 i64) (result i32)))')))
    expect(types?.get('env.seed')).toBe('->F')
    expect(types?.get('env.proxy_increment_metric')).toBe('iI->i')
  })
})
