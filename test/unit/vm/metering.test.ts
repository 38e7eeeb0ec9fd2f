import { beforeAll, describe, expect, it } from 'vitest'
import { BUDGET_EXPORT, budgetGlobalOf, injectMetering, isBudgetExhausted } from '../../../host/vm/metering.ts'
import { compileAssemblyScript, thrown, wasm, type WasmGlobal } from './metering-helpers.ts'

const abort = (): never => {
  throw new Error('abort called')
}
const imports = { env: { abort } }

// [export, args]: each runs long enough to loop many times, but well inside a 10M budget.
const calls: Array<[string, number[] | bigint[]]> = [
  ['sum', [1000]],
  ['nested', [300]],
  ['fib', [20]],
  ['collatz', [27n]],
  ['simdSum', [500]],
  ['bulk', [4096]],
  ['sortChecksum', [2000]],
  ['textLength', [300]],
  ['spinUntil', [1000]],
]

function run(bytes: Uint8Array, name: string, args: number[] | bigint[]): unknown {
  const instance = new wasm.Instance(new wasm.Module(bytes), imports)
  const budget = budgetGlobalOf(instance.exports)
  if (budget !== undefined) budget.value = 10_000_000
  return (instance.exports[name] as (...a: unknown[]) => unknown)(...args)
}

describe.each([
  ['release (-O3)', ['-O3']],
  ['debug (name section)', ['--debug']],
])('injectMetering on AssemblyScript %s', (_label, flags) => {
  let original: Uint8Array
  let metered: Uint8Array
  let checkCount: number

  beforeAll(async () => {
    original = await compileAssemblyScript('loops.ts', flags)
    ;({ bytes: metered, checkCount } = injectMetering(original))
  })

  it('produces a valid module with the same imports, the same exports plus the budget global', () => {
    expect(wasm.validate(metered)).toBe(true)
    expect(checkCount).toBeGreaterThanOrEqual(calls.length)
    const before = new wasm.Module(original)
    const after = new wasm.Module(metered)
    expect(wasm.Module.imports(after)).toEqual(wasm.Module.imports(before))
    expect(wasm.Module.exports(after)).toEqual([...wasm.Module.exports(before), { name: BUDGET_EXPORT, kind: 'global' }])
  })

  it.each(calls)('%s returns the same result metered', (name, args) => {
    expect(run(metered, name, args)).toEqual(run(original, name, args))
  })

  it('stops an infinite loop; the host tells the budget trap apart and can run the instance again', () => {
    const instance = new wasm.Instance(new wasm.Module(metered), imports)
    const budget = instance.exports[BUDGET_EXPORT] as WasmGlobal
    const spinUntil = instance.exports.spinUntil as (x: number) => number
    budget.value = 100_000
    const err = thrown(() => spinUntil(1))
    expect(err).toBeInstanceOf(wasm.RuntimeError)
    expect(isBudgetExhausted(instance.exports)).toBe(true)

    budget.value = 100_000
    expect(spinUntil(1000)).toBe(1000)
    expect(isBudgetExhausted(instance.exports)).toBe(false)

    budget.value = 1000
    expect(thrown(() => (instance.exports.spin as () => void)())).toBeInstanceOf(wasm.RuntimeError)
    expect(isBudgetExhausted(instance.exports)).toBe(true)
  })

  it('counts loop iterations: a budget of n allows exactly n loop-head entries', () => {
    const instance = new wasm.Instance(new wasm.Module(metered), imports)
    const budget = instance.exports[BUDGET_EXPORT] as WasmGlobal
    const spinUntil = instance.exports.spinUntil as (x: number) => number
    // spinUntil(2k) enters its loop head at most k + 1 times, whatever shape the optimizer gave it.
    budget.value = 1000
    expect(spinUntil(1000)).toBe(1000)
    expect(budget.value).toBeGreaterThanOrEqual(0)
    budget.value = 10
    expect(thrown(() => spinUntil(1000))).toBeInstanceOf(wasm.RuntimeError)
  })

  it('does not mistake another trap for the budget', () => {
    const instance = new wasm.Instance(new wasm.Module(metered), imports)
    budgetGlobalOf(instance.exports)!.value = 10_000_000
    // fib deep enough to overflow the stack: a trap (RangeError in V8), not the budget.
    expect(thrown(() => (instance.exports.fib as (n: number) => number)(1e6))).toBeInstanceOf(Error)
    expect(isBudgetExhausted(instance.exports)).toBe(false)
  })
})

describe('injectMetering and the start function', () => {
  let original: Uint8Array

  beforeAll(async () => {
    original = await compileAssemblyScript('start-loop.ts', ['-O1'])
  })

  it('runs the start function under the initial budget', () => {
    const metered = injectMetering(original).bytes
    const instance = new wasm.Instance(new wasm.Module(metered), imports)
    expect((instance.exports.getTotal as () => number)()).toBe(49_995_000)
  })

  it('stops a start function that loops past a small initial budget', () => {
    const metered = injectMetering(original, { initialBudget: 100 }).bytes
    expect(thrown(() => new wasm.Instance(new wasm.Module(metered), imports))).toBeInstanceOf(wasm.RuntimeError)
  })
})

describe('isBudgetExhausted', () => {
  it('is false for exports without a budget global', () => {
    expect(isBudgetExhausted({})).toBe(false)
    expect(isBudgetExhausted({ [BUDGET_EXPORT]: () => 1 })).toBe(false)
    expect(budgetGlobalOf({ [BUDGET_EXPORT]: new wasm.Global({ value: 'i32', mutable: true }, -1) })?.value).toBe(-1)
  })
})
