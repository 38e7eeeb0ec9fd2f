import { describe, expect, it } from 'vitest'
import { isWasmgateError } from '../../../host/errors.ts'
import { BUDGET_EXPORT, injectMetering, isBudgetExhausted } from '../../../host/vm/metering.ts'
import { assemble, thrown, wabtValidate, wasm, type WasmGlobal, type WasmInstance } from './metering-helpers.ts'

type Fn = (...args: unknown[]) => unknown

/** Instantiates original and metered; returns both with a generous budget set. */
async function pair(wat: string, imports: () => Record<string, Record<string, unknown>> = () => ({})): Promise<[WasmInstance, WasmInstance, Uint8Array]> {
  const original = await assemble(wat, { debugNames: true })
  const metered = injectMetering(original).bytes
  expect(wasm.validate(metered)).toBe(true)
  const a = new wasm.Instance(new wasm.Module(original), imports())
  const b = new wasm.Instance(new wasm.Module(metered), imports())
  ;(b.exports[BUDGET_EXPORT] as WasmGlobal).value = 10_000_000
  return [a, b, metered]
}

function same(a: WasmInstance, b: WasmInstance, name: string, ...args: unknown[]): unknown {
  const expected = (a.exports[name] as Fn)(...args)
  expect((b.exports[name] as Fn)(...args)).toEqual(expected)
  return expected
}

describe('injectMetering keeps indices right', () => {
  const wat = `(module
    (type $unary (func (param i32) (result i32)))
    (import "env" "seen" (func $seen (param i32)))
    (import "env" "base" (global $base i32))
    (global $counter (export "counter") (mut i32) (i32.const 0))
    (global $k i32 (i32.const 5))
    (table 2 funcref)
    (elem (i32.const 0) $double $triple)
    (func $double (type $unary) (i32.mul (local.get 0) (i32.const 2)))
    (func $triple (type $unary) (i32.mul (local.get 0) (global.get $k)))
    (func $init (global.set $counter (global.get $base)))
    (start $init)
    (func (export "apply") (param $which i32) (param $n i32) (result i32) (local $acc i32)
      (local.set $acc (i32.const 1))
      (loop $l
        (local.set $acc (call_indirect (type $unary) (local.get $acc) (local.get $which)))
        (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
        (call $seen (local.get $acc))
        (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
      (local.get $acc)))`

  it('imports, globals, table, elements, start and the name section behave as before', async () => {
    const seen: number[][] = [[], []]
    let side = 0
    const imports = () => ({ env: { seen: (v: number) => seen[side]!.push(v), base: 100 } })
    const original = await assemble(wat, { debugNames: true })
    const metered = injectMetering(original).bytes
    const a = new wasm.Instance(new wasm.Module(original), imports())
    side = 1
    const b = new wasm.Instance(new wasm.Module(metered), imports())
    side = 0
    expect((a.exports.apply as Fn)(1, 6)).toBe(5 ** 6)
    side = 1
    expect((b.exports.apply as Fn)(1, 6)).toBe(5 ** 6)
    expect((b.exports.apply as Fn)(0, 3)).toBe(8)
    expect(seen[1]!.slice(0, 6)).toEqual(seen[0])
    expect((b.exports.counter as WasmGlobal).value).toBe(109)
    // The budget is the last global: 1 imported + 2 defined.
    expect(wasm.Module.exports(new wasm.Module(metered)).at(-1)).toEqual({ name: BUDGET_EXPORT, kind: 'global' })
    const names = (bytes: Uint8Array) => wasm.Module.customSections(new wasm.Module(bytes), 'name').map((s) => Buffer.from(s).toString('hex'))
    expect(names(metered)).toEqual(names(original))
    expect(names(metered)).toHaveLength(1)
  })

  it('adds the global and export sections when the module has none, in section order', async () => {
    const bytes = await assemble('(module (func $f (local i32) (loop $l (br $l))) (start $f))')
    const metered = injectMetering(bytes, { initialBudget: 50 }).bytes
    expect(wasm.validate(metered)).toBe(true)
    expect(wasm.Module.exports(new wasm.Module(metered))).toEqual([{ name: BUDGET_EXPORT, kind: 'global' }])
    expect(thrown(() => new wasm.Instance(new wasm.Module(metered)))).toBeInstanceOf(wasm.RuntimeError)
    const empty = injectMetering(await assemble('(module)'))
    expect(wasm.validate(empty.bytes)).toBe(true)
    expect(empty.checkCount).toBe(0)
  })

  it('keeps custom sections byte for byte, wherever they sit', async () => {
    const bytes = await assemble('(module (@custom "first" (before function) "one") (func (export "f") (loop)) (@custom "last" "two"))')
    const metered = injectMetering(bytes).bytes
    const mod = new wasm.Module(metered)
    expect(Buffer.from(wasm.Module.customSections(mod, 'first')[0]!).toString()).toBe('one')
    expect(Buffer.from(wasm.Module.customSections(mod, 'last')[0]!).toString()).toBe('two')
  })
})

describe('injectMetering across proposals', () => {
  it('multi-value: loops with parameters (type-index block types) and multiple results', async () => {
    const [a, b] = await pair(`(module
      (func $fib (export "fib") (param $n i32) (result i32) (local $a i32) (local $b i32)
        (i32.const 0) (i32.const 1)
        (loop $l (param i32 i32) (result i32)
          (local.set $b) (local.set $a)
          (if (result i32) (i32.eqz (local.get $n))
            (then (local.get $a))
            (else
              (local.set $n (i32.sub (local.get $n) (i32.const 1)))
              (local.get $b) (i32.add (local.get $a) (local.get $b))
              (br $l)))))
      (func (export "divmod") (param i32 i32) (result i32 i32)
        (i32.div_u (local.get 0) (local.get 1)) (i32.rem_u (local.get 0) (local.get 1))))`)
    expect(same(a, b, 'fib', 30)).toBe(832040)
    expect(same(a, b, 'divmod', 17, 5)).toEqual([3, 2])
  })

  it('tail calls: a cycle of return_call stops on the budget, with no loop in sight', async () => {
    const [a, b] = await pair(`(module
      (type $t (func (param i32) (result i32)))
      (table 1 funcref) (elem (i32.const 0) $odd)
      (func $even (export "even") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 1))
          (else (return_call_indirect (type $t) (i32.sub (local.get 0) (i32.const 1)) (i32.const 0)))))
      (func $odd (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
          (else (return_call $even (i32.sub (local.get 0) (i32.const 1))))))
      (func (export "forever") (return_call 2)))`)
    expect(same(a, b, 'even', 10_001)).toBe(0)
    ;(b.exports[BUDGET_EXPORT] as WasmGlobal).value = 1000
    expect(thrown(() => (b.exports.forever as Fn)())).toBeInstanceOf(wasm.RuntimeError)
    expect(isBudgetExhausted(b.exports)).toBe(true)
    ;(b.exports[BUDGET_EXPORT] as WasmGlobal).value = 1000
    expect(thrown(() => (b.exports.even as Fn)(-2))).toBeInstanceOf(wasm.RuntimeError)
    expect(isBudgetExhausted(b.exports)).toBe(true)
  })

  it('legacy exception handling: try, catch, catch_all, rethrow, delegate around loops', async () => {
    const [a, b] = await pair(`(module
      (tag $stop (param i32))
      (func $count (param $n i32) (local $i i32)
        (loop $l
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (if (i32.ge_u (local.get $i) (local.get $n)) (then (throw $stop (local.get $i))))
          (br $l)))
      (func (export "run") (param $n i32) (result i32)
        (try (result i32)
          (do
            (try (do (call $count (local.get $n))) (delegate 0))
            (i32.const -1))
          (catch $stop)
          (catch_all (i32.const -2))))
      (func (export "rethrown") (param $n i32) (result i32)
        (try (result i32)
          (do (try (result i32) (do (call $count (local.get $n)) (i32.const -1)) (catch_all (rethrow 0))))
          (catch $stop)))
      (func (export "spin") (result i32)
        (try (result i32) (do (loop $l (br $l)) (i32.const 0)) (catch_all (i32.const 7)))))`)
    expect(same(a, b, 'run', 500)).toBe(500)
    expect(same(a, b, 'rethrown', 40)).toBe(40)
    ;(b.exports[BUDGET_EXPORT] as WasmGlobal).value = 1000
    expect(thrown(() => (b.exports.spin as Fn)())).toBeInstanceOf(wasm.RuntimeError)
    expect(isBudgetExhausted(b.exports)).toBe(true)
  })

  it('exception handling with try_table and throw_ref (checked by wabt: this V8 predates exnref)', async () => {
    const bytes = await assemble(`(module
      (tag $e (param i32))
      (func (export "f") (param $n i32) (result i32)
        (block $h (result i32)
          (drop (block $r (result exnref)
            (loop $l
              (try_table (catch $e $h) (catch_all_ref $r)
                (if (i32.eqz (local.get $n)) (then (throw $e (i32.const 7)))))
              (local.set $n (i32.sub (local.get $n) (i32.const 1)))
              (br $l))
            (ref.null exn)))
          (i32.const 0)))
      (func (param exnref) (throw_ref (local.get 0))))`)
    await expect(wabtValidate(bytes)).resolves.toBeUndefined()
    const result = injectMetering(bytes)
    expect(result.checkCount).toBe(1)
    await expect(wabtValidate(result.bytes)).resolves.toBeUndefined()
  })

  it('threads: atomics on shared memory, and fence', async () => {
    const [a, b] = await pair(`(module
      (memory 1 1 shared)
      (func (export "atomics") (param $n i32) (result i32)
        (loop $l
          (drop (i32.atomic.rmw.add (i32.const 8) (local.get $n)))
          (i64.atomic.store offset=16 (i32.const 0) (i64.extend_i32_u (local.get $n)))
          (drop (i32.atomic.rmw.cmpxchg (i32.const 4) (i32.const 0) (i32.const 1)))
          (atomic.fence)
          (drop (memory.atomic.notify (i32.const 8) (i32.const 0)))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (i32.add (i32.atomic.load (i32.const 8)) (i32.wrap_i64 (i64.atomic.load (i32.const 16))))))`)
    expect(same(a, b, 'atomics', 100)).toBe(5051)
  })

  it('SIMD: memargs, lanes, shuffles and constants inside loops', async () => {
    const [a, b] = await pair(`(module
      (memory 1)
      (func (export "simd") (param $n i32) (result i32) (local $v v128)
        (v128.store (i32.const 0) (v128.const i32x4 1 2 3 4))
        (loop $l
          (local.set $v (i32x4.add (local.get $v) (v128.load offset=0 align=4 (i32.const 0))))
          (local.set $v (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v)))
          (local.set $v (v128.load32_lane 2 (i32.const 4) (local.get $v)))
          (v128.store64_lane 1 (i32.const 32) (local.get $v))
          (local.set $v (i32x4.replace_lane 3 (local.get $v) (i32.const 9)))
          (local.set $v (v128.load32_zero (i32.const 0)))
          (local.set $v (i32x4.add (local.get $v) (v128.load8_splat (i32.const 1))))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (i32.add (i32x4.extract_lane 0 (local.get $v)) (i32.load (i32.const 36)))))`)
    same(a, b, 'simd', 50)
  })

  it('bulk memory, reference types, saturating and sign-extension ops', async () => {
    const [a, b] = await pair(`(module
      (memory 1)
      (data $d "abcdefgh")
      (table $t 4 funcref)
      (elem declare func $id)
      (func $id (param i32) (result i32) (local.get 0))
      (func (export "mix") (param $n i32) (result i32) (local $s i32)
        (memory.init $d (i32.const 100) (i32.const 0) (i32.const 8))
        (memory.copy (i32.const 200) (i32.const 100) (i32.const 8))
        (memory.fill (i32.const 300) (i32.const 1) (i32.const 16))
        (drop (table.grow $t (ref.func $id) (i32.const 2)))
        (table.fill $t (i32.const 0) (ref.null func) (i32.const 1))
        (loop $l
          (local.set $s (i32.add (local.get $s) (i32.load8_u (i32.add (i32.const 200) (i32.and (local.get $n) (i32.const 7))))))
          (local.set $s (i32.add (local.get $s) (i32.trunc_sat_f32_s (f32.const 1e10))))
          (local.set $s (i32.add (local.get $s) (i32.extend8_s (local.get $n))))
          (local.set $s (select (result i32) (local.get $s) (i32.const 0) (ref.is_null (table.get $t (i32.const 5)))))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (data.drop $d)
        (i32.add (local.get $s) (table.size $t))))`)
    same(a, b, 'mix', 20)
  })
})

describe('injectMetering refuses what it cannot rewrite safely', () => {
  // (module (func)) with the body's opcode replaced: header, type, function, code sections.
  const withBody = (...body: number[]): Uint8Array =>
    Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, body.length + 3, 1, body.length + 1, 0, ...body])

  it.each([
    ['an unassigned opcode', withBody(0x27, 0x0b), /unknown opcode 0x27 at offset 23/],
    ['a GC opcode', withBody(0xfb, 0x00, 0x0b), /0xfb.*GC/],
    ['an unknown 0xfc opcode', withBody(0xfc, 0x50, 0x0b), /unknown opcode 0xfc 80/],
    ['an unassigned SIMD opcode', withBody(0xfd, 0x9a, 0x01, 0x0b), /unknown opcode 0xfd 154/],
    ['a truncated module', withBody(0x0b).subarray(0, 20), /offset/],
    ['bytes that are not Wasm', Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), /magic/],
    ['a component', Uint8Array.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]), /version/],
  ])('%s, with WG_ERR_WASM_INVALID naming it', (_label, bytes, message) => {
    const err = thrown(() => injectMetering(bytes))
    expect(isWasmgateError(err, 'WG_ERR_WASM_INVALID')).toBe(true)
    expect((err as Error).message).toMatch(message)
  })

  it('refuses to meter a module twice (the export name is taken)', () => {
    const once = injectMetering(withBody(0x0b)).bytes
    expect(isWasmgateError(thrown(() => injectMetering(once)), 'WG_ERR_WASM_INVALID')).toBe(true)
  })

  it('rejects an initial budget outside 0..2^31-1', () => {
    for (const initialBudget of [-1, 2 ** 31, 1.5]) {
      expect(isWasmgateError(thrown(() => injectMetering(withBody(0x0b), { initialBudget })), 'WG_ERR_CONFIG_INVALID')).toBe(true)
    }
  })
})
