/**
 * Property tests for the rewriter on modules we did not write: every Wasm binary shipped inside
 * node_modules (Emscripten builds of binaryen and wabt, clang's llhttp, es-module-lexer...),
 * a metered build of wabt doing real work, and random valid modules from binaryen's
 * translate-to-fuzz mode run side by side with their originals.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import vm from 'node:vm'
import wabtInit from 'wabt'
import { describe, expect, it, onTestFinished } from 'vitest'
import { BUDGET_EXPORT, budgetGlobalOf, injectMetering, isBudgetExhausted } from '../../host/vm/metering.ts'
import { wabtValidate, wasm, type WasmInstance } from '../unit/vm/metering-helpers.ts'

const nodeModules = new URL('../../node_modules/', import.meta.url).pathname
const require = createRequire(import.meta.url)

/** Every Wasm module in node_modules: .wasm files, base64 blobs, Emscripten binaryDecode literals. */
function findEmbeddedModules(): Map<string, Uint8Array> {
  const found = new Map<string, Uint8Array>()
  const add = (from: string, bytes: Uint8Array): void => {
    const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 12)
    if (![...found.keys()].some((k) => k.endsWith(digest))) found.set(`${from.slice(nodeModules.length)} ${digest}`, bytes)
  }
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.isFile() && statSync(path).size <= 32 * 2 ** 20) scan(path, readFileSync(path))
    }
  }
  const scan = (path: string, buf: Buffer): void => {
    if (buf.length >= 8 && buf.readUInt32LE(0) === 0x6d736100) return add(path, buf)
    if (buf.includes('AGFzbQ')) {
      for (const m of buf.toString('latin1').matchAll(/AGFzbQ[A-Za-z0-9+/]*={0,2}/g)) add(path, Buffer.from(m[0], 'base64'))
    }
    if (buf.includes("binaryDecode('")) add(path, emscriptenBinary(buf.toString('utf8')))
  }
  walk(nodeModules)
  return found
}

/** Emscripten (-sSINGLE_FILE) stores the module as a string literal decoded by binaryDecode. */
function emscriptenBinary(source: string): Uint8Array {
  const start = source.indexOf("binaryDecode('") + "binaryDecode('".length
  let end = start
  while (end < source.length && source[end] !== "'") end += source[end] === '\\' ? 2 : 1
  const text = vm.runInNewContext(`'${source.slice(start, end)}'`) as string // a string literal, nothing else
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    out[i] = (~c >> 8) & c
  }
  return out
}

describe('injectMetering on every Wasm module shipped in node_modules', () => {
  const corpus = findEmbeddedModules()

  it('finds the corpus (binaryen, wabt, llhttp, es-module-lexer at least)', () => {
    const names = [...corpus.keys()].join('\n')
    for (const pkg of ['binaryen/', 'wabt/', 'undici/lib/llhttp/', 'es-module-lexer/']) expect(names).toContain(pkg)
  })

  it.each([...corpus.keys()])('%s: still valid, same imports, same exports plus the budget', (name) => {
    const bytes = corpus.get(name) as Uint8Array
    expect(wasm.validate(bytes)).toBe(true)
    const metered = injectMetering(bytes).bytes
    expect(wasm.validate(metered)).toBe(true)
    const before = new wasm.Module(bytes)
    const after = new wasm.Module(metered)
    expect(wasm.Module.imports(after)).toEqual(wasm.Module.imports(before))
    expect(wasm.Module.exports(after)).toEqual([...wasm.Module.exports(before), { name: BUDGET_EXPORT, kind: 'global' }])
  }, 60_000)

  it('a metered wabt assembles text to the same bytes as the original', async () => {
    const metered = injectMetering(emscriptenBinary(readFileSync(require.resolve('wabt'), 'utf8')), { initialBudget: 2 ** 31 - 1 }).bytes
    let instance: WasmInstance | undefined
    type Instantiate = (bytes: Uint8Array, imports: unknown) => Promise<{ instance: WasmInstance; module: object }>
    const instantiate = (wasm as unknown as { instantiate: Instantiate }).instantiate
    const meteredWabt = await (wabtInit as unknown as (m: object) => ReturnType<typeof wabtInit>)({
      instantiateWasm(imports: unknown, done: (i: WasmInstance, m: object) => void) {
        void instantiate(metered, imports).then((r) => {
          instance = r.instance
          done(r.instance, r.module)
        })
        return {}
      },
    })
    const plainWabt = await wabtInit()
    const wat = `(module (memory 1) (func (export "f") (param i32) (result i32)
      (loop (br_if 0 (i32.load (local.get 0)))) (block (result i32) (local.get 0))))`
    const assembleWith = (w: typeof plainWabt) => Buffer.from(w.parseWat('x.wat', wat, { multi_value: true }).toBinary({}).buffer)
    expect(assembleWith(meteredWabt)).toEqual(assembleWith(plainWabt))
    const budget = budgetGlobalOf(instance!.exports)!
    expect(budget.value).toBeLessThan(2 ** 31 - 1) // it really counted
  }, 60_000)
})

// Random modules: binaryen turns seed bytes into a valid module whose exports log through
// imports; its own hang limit keeps the originals finite. Seeds are fixed so runs repeat.
const FUZZ_RUNS = Number(process.env.WASMGATE_FUZZ_RUNS ?? 8)
const features = ['simd', 'bulk-memory', 'sign-ext', 'nontrapping-float-to-int', 'mutable-globals', 'multivalue', 'reference-types', 'tail-call', 'threads', 'exception-handling']

function seedBytes(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length)
  let x = seed * 2654435761 || 1
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

function runExports(bytes: Uint8Array, metered: boolean): unknown[] {
  const log: unknown[] = []
  const module = new wasm.Module(bytes)
  const imports: Record<string, Record<string, unknown>> = {}
  for (const imp of wasm.Module.imports(module)) {
    imports[imp.module] ??= {}
    // Functions log their arguments; the fuzzer's one global import is an externref.
    imports[imp.module]![imp.name] = imp.kind === 'function' ? (...args: unknown[]) => void log.push([imp.name, ...args.map(String)]) : null
  }
  let instance: WasmInstance
  try {
    instance = new wasm.Instance(module, imports)
  } catch (err) {
    return [`instantiate: ${(err as Error).name}`]
  }
  for (const exp of wasm.Module.exports(module)) {
    if (exp.kind !== 'function') continue
    if (metered) budgetGlobalOf(instance.exports)!.value = 2 ** 31 - 1
    try {
      log.push([exp.name, String((instance.exports[exp.name] as () => unknown)())])
    } catch (err) {
      if (metered && isBudgetExhausted(instance.exports)) return [...log, 'budget exhausted']
      log.push([exp.name, (err as Error).name])
    }
  }
  return log
}

describe('injectMetering on random modules (binaryen translate-to-fuzz)', () => {
  it.each(Array.from({ length: FUZZ_RUNS }, (_, i) => i + 1))('seed %i: valid and behaves the same', async (seed) => {
    const dir = mkdtempSync(join(tmpdir(), 'wasmgate-metering-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    writeFileSync(join(dir, 'seed.dat'), seedBytes(seed, 20_000))
    const wasmOpt = join(nodeModules, 'binaryen/bin/wasm-opt')
    // Even seeds add exception handling (exnref, which this V8 lacks, so wabt validates them);
    // they leave out threads, which wabt.js refuses to validate.
    const withEh = seed % 2 === 0
    const enable = features.filter((f) => (withEh ? f !== 'threads' : f !== 'exception-handling')).map((f) => `--enable-${f}`)
    execFileSync(process.execPath, [wasmOpt, join(dir, 'seed.dat'), '-ttf', ...enable, '-o', join(dir, 'fuzz.wasm')], { stdio: 'pipe' })
    const bytes = new Uint8Array(readFileSync(join(dir, 'fuzz.wasm')))
    const metered = injectMetering(bytes).bytes
    if (!wasm.validate(bytes)) {
      // Uses a proposal this V8 lacks (exnref, typed references): wabt judges both.
      await wabtValidate(bytes)
      await expect(wabtValidate(metered)).resolves.toBeUndefined()
      return
    }
    expect(wasm.validate(metered)).toBe(true)
    const expected = runExports(bytes, false)
    expect(expected.length).toBeGreaterThan(1) // it got as far as calling exports
    const actual = runExports(metered, true)
    if (actual.at(-1) === 'budget exhausted') expect(actual.slice(0, -1)).toEqual(expected.slice(0, actual.length - 1))
    else expect(actual).toEqual(expected)
  }, 60_000)
})
