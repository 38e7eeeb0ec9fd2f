// Cost of the loop budget (host/vm/metering.ts): the same functions run unmetered and metered,
// plus the one-time rewrite at load. Run: npx tsx bench/micro/vm/metering.bench.ts
// The tight loops are the worst case (a countdown per 3-6 instructions); the AssemblyScript
// programs (test/fixtures/metering/assembly/loops.ts, with the SDK's incremental GC so repeated
// calls do not exhaust memory) are closer to a filter's work. On a busy machine compare the
// min column: the means swing with load.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import asc from 'assemblyscript/asc'
import { bench, do_not_optimize, group, run, summary } from 'mitata'
import wabtInit from 'wabt'
import { injectMetering } from '../../../host/vm/metering.ts'

interface Instance { exports: Record<string, unknown> }
const wasm = (globalThis as unknown as {
  WebAssembly: { Instance: new (m: object, i?: object) => Instance; Module: new (b: Uint8Array) => object }
}).WebAssembly
const BUDGET = 2 ** 31 - 1

const TIGHT_WAT = `(module
  (memory 1)
  (func (export "count") (param $n i32) (result i32) (local $i i32)
    (loop $l (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $i))
  (func (export "checksum") (param $n i32) (result i32) (local $i i32) (local $h i32)
    (loop $l
      (local.set $h (i32.add (i32.mul (local.get $h) (i32.const 31)) (i32.load8_u (i32.and (local.get $i) (i32.const 4095)))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $h)))`

async function tightModule(): Promise<Uint8Array> {
  const wabt = await wabtInit()
  return wabt.parseWat('tight.wat', TIGHT_WAT, {}).toBinary({}).buffer
}

async function assemblyScriptModule(): Promise<Uint8Array> {
  const dir = fileURLToPath(new URL('../../../test/fixtures/metering/', import.meta.url))
  let binary: Uint8Array | undefined
  const result = await asc.main([`${dir}assembly/loops.ts`, '--config', `${dir}asconfig.json`, '-O3', '--runtime', 'incremental', '--outFile', 'out.wasm'], {
    writeFile(name, contents) {
      if (name.endsWith('.wasm') && typeof contents !== 'string') binary = contents
    },
  })
  if (result.error !== null || binary === undefined) throw new Error(`asc failed: ${String(result.error)}`)
  return binary
}

function instantiate(bytes: Uint8Array, metered: boolean): Record<string, unknown> {
  const exports = new wasm.Instance(new wasm.Module(metered ? injectMetering(bytes).bytes : bytes), { env: { abort() {} } }).exports
  if (metered) (exports.__wasmgate_budget as { value: number }).value = BUDGET
  return exports
}

/** Calls fn on both instances, refilling the metered one's budget as the host does per callback. */
function pairBench(title: string, bytes: Uint8Array, name: string, args: unknown[]): void {
  const plain = instantiate(bytes, false)
  const metered = instantiate(bytes, true)
  const plainFn = plain[name] as (...a: unknown[]) => unknown
  const meteredFn = metered[name] as (...a: unknown[]) => unknown
  const budget = metered.__wasmgate_budget as { value: number }
  summary(() => {
    group(title, () => {
      bench('unmetered', () => do_not_optimize(plainFn(...args))).baseline(true)
      bench('metered', () => {
        budget.value = BUDGET
        return do_not_optimize(meteredFn(...args))
      })
    })
  })
}

const tight = await tightModule()
const program = await assemblyScriptModule()

pairBench('tight loop, 1M iterations (count)', tight, 'count', [1_000_000])
pairBench('byte checksum, 1M iterations', tight, 'checksum', [1_000_000])
pairBench('AS sum(10k)', program, 'sum', [10_000])
pairBench('AS nested(1000), ~500k inner iterations', program, 'nested', [1000])
pairBench('AS sortChecksum(5000)', program, 'sortChecksum', [5000])
pairBench('AS textLength(200)', program, 'textLength', [200])

// Load-time cost of the rewrite itself, on a clang module (llhttp, 54 KB) from undici.
const llhttpSource = readFileSync(fileURLToPath(new URL('../../../node_modules/undici/lib/llhttp/llhttp-wasm.js', import.meta.url)), 'utf8')
const llhttp = Buffer.from(/AGFzbQ[A-Za-z0-9+/]*={0,2}/.exec(llhttpSource)![0], 'base64')
group('injectMetering (load time)', () => {
  bench('llhttp (54 KB)', () => do_not_optimize(injectMetering(llhttp)))
  bench('AS loops.ts -O3', () => do_not_optimize(injectMetering(program)))
})

await run()

// Iterations per 100 ms of the worst-case loop, metered: the basis for the default budget.
{
  const count = instantiate(tight, true).count as (n: number) => number
  count(10_000_000)
  const n = 200_000_000
  const start = process.hrtime.bigint()
  count(n)
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  console.log(`\nmetered tight loop: ${(n / ms / 1e3).toFixed(0)}M iterations/s; 100 ms ≈ ${Math.round((n / ms) * 100 / 1e6)}M iterations`)
}
