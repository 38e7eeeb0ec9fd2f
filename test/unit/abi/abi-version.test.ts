import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { detectAbiVersion, findAllocatorName, proxyImportNames } from '../../../host/abi/abi-version.ts'
import { ENV_SIGNATURES, PROXY_SIGNATURES, WASI_SIGNATURES } from '../../../host/abi/import-signatures.ts'
import { WASI_FUNCTION_NAMES } from '../../../host/abi/hostcalls/wasi.ts'

const fn = (name: string) => ({ name, kind: 'function' as const })

describe('ABI version detection', () => {
  it('reads the marker export; prefers the newest when several are present', () => {
    expect(detectAbiVersion([fn('proxy_abi_version_0_2_1')])).toBe('0.2.1')
    expect(detectAbiVersion([fn('proxy_abi_version_0_2_0')])).toBe('0.2.0')
    expect(detectAbiVersion([fn('proxy_abi_version_0_1_0')])).toBe('0.1.0')
    expect(detectAbiVersion([fn('proxy_abi_version_0_1_0'), fn('proxy_abi_version_0_2_1')])).toBe('0.2.1')
    expect(detectAbiVersion([fn('proxy_abi_version_0_3_0')])).toBeUndefined()
    expect(detectAbiVersion([{ name: 'proxy_abi_version_0_2_1', kind: 'global' }])).toBeUndefined()
  })

  it('finds malloc first, then proxy_on_memory_allocate (cpp-host order)', () => {
    expect(findAllocatorName([fn('proxy_on_memory_allocate'), fn('malloc')])).toBe('malloc')
    expect(findAllocatorName([fn('proxy_on_memory_allocate')])).toBe('proxy_on_memory_allocate')
    expect(findAllocatorName([fn('free')])).toBeUndefined()
  })

  it('links each version with exactly its own imports', () => {
    const v010 = new Set(proxyImportNames('0.1.0'))
    const v020 = new Set(proxyImportNames('0.2.0'))
    const v021 = new Set(proxyImportNames('0.2.1'))
    for (const n of ['proxy_get_configuration', 'proxy_continue_request', 'proxy_continue_response', 'proxy_clear_route_cache']) {
      expect(v010.has(n)).toBe(true)
      expect(v020.has(n) || v021.has(n)).toBe(false)
    }
    for (const n of ['proxy_continue_stream', 'proxy_close_stream']) expect(v010.has(n) || !v020.has(n) || !v021.has(n)).toBe(false)
    expect(v021.has('proxy_get_log_level')).toBe(true)
    expect(v020.has('proxy_get_log_level') || v010.has('proxy_get_log_level')).toBe(false)
  })

  it('has a signature for every proxy_* and env import, and for the WASI functions SDKs import', () => {
    for (const v of ['0.1.0', '0.2.0', '0.2.1'] as const) for (const n of proxyImportNames(v)) expect(PROXY_SIGNATURES[n], n).toBeDefined()
    for (const n of ['abort', 'trace', 'seed']) expect(ENV_SIGNATURES[n]).toBeDefined()
    for (const n of Object.keys(WASI_SIGNATURES)) expect(WASI_FUNCTION_NAMES.has(n), n).toBe(true)
  })

  it('names every callback the reference lists for 0.2.1 in the version table source', () => {
    const src = readFileSync(new URL('../../../host/abi/abi-version.ts', import.meta.url), 'utf8')
    for (const cb of ['proxy_on_request_headers', 'proxy_on_http_call_response', 'proxy_on_queue_ready', 'proxy_on_foreign_function']) expect(src).toContain(cb)
  })
})
