// Every .wasm the repo builds must link in any proxy-wasm 0.2.1 host (Envoy, Istio, ours): its
// imports are spec names with the spec's exact signatures, plus WASI preview1. Filters built
// with the SDK must also need no AssemblyScript `env.abort`/`env.trace`/`env.seed`, and export
// the ABI marker and the allocator under both names.
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compileFilterDir, findFilterDirs } from '../../scripts/build-wasm.mjs'
import { SPEC_IMPORTS, readImportSignatures } from '../unit/sdk/wasm-imports.ts'

const root = new URL('../../', import.meta.url).pathname

// Fixtures that are not built with the SDK (raw imports) may use AssemblyScript's own abort.
const RAW_EXTRAS: Record<string, string> = { 'env.abort': '(i32,i32,i32,i32)->()' }

function isSdkBuilt(dir: string): boolean {
  const entry = readFileSync(`${dir}/assembly/index.ts`, 'utf8')
  return entry.includes('wasmgate/sdk/assembly')
}

describe('imports of every built filter', () => {
  const dirs = findFilterDirs()
  it('finds the SDK-built filters', () => {
    expect(dirs.map((d) => relative(root, d))).toEqual(expect.arrayContaining(['filters/add-header', 'test/fixtures/filters/sdk-features']))
  })

  for (const dir of dirs) {
    const name = relative(root, dir)
    // Each filter builds in its own test (cached), so one broken filter fails only its own row.
    it(`${name}: imports only spec names with spec signatures`, async () => {
      const wasm = readFileSync((await compileFilterDir(dir)).outFile)
      const sdk = isSdkBuilt(dir)
      const wrong: string[] = []
      for (const imp of readImportSignatures(wasm)) {
        const key = `${imp.module}.${imp.name}`
        const expected = SPEC_IMPORTS[key] ?? (sdk ? undefined : RAW_EXTRAS[key])
        if (expected === undefined) wrong.push(`${key} is not a proxy-wasm 0.2.1 or WASI import`)
        else if (expected !== imp.signature) wrong.push(`${key} is ${imp.signature}, the spec says ${expected}`)
      }
      expect(wrong).toEqual([])
      if (sdk) {
        const exports = WebAssembly.Module.exports(new WebAssembly.Module(wasm)).map((e) => e.name)
        expect(exports).toEqual(expect.arrayContaining(['proxy_abi_version_0_2_1', 'malloc', 'proxy_on_memory_allocate', 'proxy_on_context_create', '_start']))
      }
    }, 120_000)
  }

  it('keeps the header-adding example at 20 KB (20,000 bytes) or less (release)', async () => {
    const size = readFileSync((await compileFilterDir(`${root}filters/add-header`)).outFile).length
    expect(size).toBeLessThanOrEqual(20_000)
  })
})
