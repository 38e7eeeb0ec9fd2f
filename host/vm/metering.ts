/**
 * @module
 * Loop budget: rewrites a Wasm module so that a guest callback which loops forever traps
 * instead of hanging the event loop (Wasm on the main thread cannot be interrupted).
 *
 * What the rewrite adds, and nothing else moves:
 * - one mutable i32 global, appended after every other global and exported as
 *   `__wasmgate_budget`. The host writes the budget (loop iterations) into it before each
 *   top-level guest call;
 * - at the head of every `loop` body, a countdown: `budget -= 1; if (budget < 0) unreachable`.
 *   It is 16-20 bytes of straight Wasm with one predictable branch, no call into JS. A function
 *   that makes tail calls (`return_call*`) also counts down on entry, since a cycle of tail
 *   calls loops without a `loop` and without growing the stack. Plain recursion needs nothing:
 *   it ends in a stack-overflow trap;
 * - one i32 scratch local, appended after the existing locals of each instrumented function.
 *
 * How the host tells a budget trap from any other: the countdown stores the decremented value
 * before trapping, so after the RuntimeError the global reads -1. `isBudgetExhausted()` checks
 * that; it does not depend on stack traces (`Error.stackTraceLimit` may be 0) or a name section.
 * Writing a fresh budget makes the same instance runnable again (though a trapped instance is
 * normally discarded; see STYLE "Filter traps").
 *
 * No function, type, table or element is added, so no index changes: calls, exports, element
 * segments, the start function and the name section stay valid as they are. Custom sections are
 * kept byte for byte, except `metadata.code.*` (branch hints), whose code offsets the rewrite
 * would make wrong; DWARF sections are kept and become stale, which only affects debuggers.
 */
import { WasmgateError } from '../errors.ts'
import { WasmBinaryReader } from './wasm-binary-reader.ts'
import { WasmBinaryWriter } from './wasm-binary-writer.ts'
import { OP_LOOP, OP_RETURN_CALL, OP_RETURN_CALL_INDIRECT, OP_RETURN_CALL_REF, skipInstruction, skipValType } from './wasm-instruction-decoder.ts'
import { readModuleLayout, SECTION_ORDER, SectionId, type ModuleLayout, type Section } from './wasm-module-layout.ts'

export const BUDGET_EXPORT = '__wasmgate_budget'

/**
 * Budget the global holds at instantiation, before the host can write it: it bounds the
 * start section. Same order as the per-callback default proposed for abi/limits.ts.
 */
export const INITIAL_BUDGET_ITERATIONS = 100_000_000

const MAX_BUDGET = 0x7fff_ffff

export interface MeteringOptions {
  /** Export name of the budget global (default `__wasmgate_budget`). */
  readonly exportName?: string
  /** Value of the global at instantiation, 0..2^31-1 (default INITIAL_BUDGET_ITERATIONS). */
  readonly initialBudget?: number
}

export interface MeteredModule {
  readonly bytes: Uint8Array
  /** Export name of the budget global. */
  readonly budgetGlobal: string
  /** Countdowns injected: loop heads plus tail-calling function entries. */
  readonly checkCount: number
}

export function injectMetering(bytes: Uint8Array, options: MeteringOptions = {}): MeteredModule {
  const exportName = options.exportName ?? BUDGET_EXPORT
  const initialBudget = options.initialBudget ?? INITIAL_BUDGET_ITERATIONS
  if (!Number.isInteger(initialBudget) || initialBudget < 0 || initialBudget > MAX_BUDGET) {
    throw new WasmgateError('WG_ERR_CONFIG_INVALID', [`metering initialBudget: must be an integer 0..${MAX_BUDGET} (got ${initialBudget})`])
  }
  const layout = readModuleLayout(bytes)
  if (layout.exportNames.has(exportName)) {
    throw new WasmgateError('WG_ERR_WASM_INVALID', [`module already exports ${exportName}, a name reserved for the loop budget (metered twice?)`])
  }
  const budgetIndex = layout.importedGlobals + layout.definedGlobals
  const out = new WasmBinaryWriter().bytes(bytes.subarray(0, 8))
  let hasGlobals = false
  let hasExports = false
  let checkCount = 0

  const emitMissingBefore = (order: number): void => {
    if (!hasGlobals && order > (SECTION_ORDER[SectionId.Global] as number)) {
      hasGlobals = true
      section(out, SectionId.Global, new WasmBinaryWriter().u32(1).bytes(budgetGlobalEntry(initialBudget)))
    }
    if (!hasExports && order > (SECTION_ORDER[SectionId.Export] as number)) {
      hasExports = true
      section(out, SectionId.Export, new WasmBinaryWriter().u32(1).bytes(budgetExportEntry(exportName, budgetIndex)))
    }
  }

  for (const s of layout.sections) {
    if (s.id === SectionId.Custom) {
      if (!(s.name ?? '').startsWith('metadata.code.')) out.bytes(bytes.subarray(s.start, s.end))
      continue
    }
    emitMissingBefore(SECTION_ORDER[s.id] as number)
    if (s.id === SectionId.Global) {
      hasGlobals = true
      section(out, s.id, appendToVector(bytes, s, budgetGlobalEntry(initialBudget)))
    } else if (s.id === SectionId.Export) {
      hasExports = true
      section(out, s.id, appendToVector(bytes, s, budgetExportEntry(exportName, budgetIndex)))
    } else if (s.id === SectionId.Code) {
      const code = rewriteCode(bytes, s, layout, budgetIndex)
      checkCount = code.checkCount
      section(out, s.id, code.payload)
    } else {
      out.bytes(bytes.subarray(s.start, s.end))
    }
  }
  emitMissingBefore(Number.POSITIVE_INFINITY)
  return { bytes: out.finish(), budgetGlobal: exportName, checkCount }
}

/**
 * The slice of WebAssembly.Global this module relies on (the project's TS libs carry no
 * WebAssembly API types, so this is structural).
 */
export interface BudgetGlobal {
  value: number
}

/** The budget global of an instance metered by injectMetering, or undefined if it has none. */
export function budgetGlobalOf(exports: Readonly<Record<string, unknown>>, exportName = BUDGET_EXPORT): BudgetGlobal | undefined {
  const global = exports[exportName]
  if (typeof global !== 'object' || global === null || !('value' in global)) return undefined
  return typeof global.value === 'number' ? (global as BudgetGlobal) : undefined
}

/** After a trap: true when the trap was the loop budget running out (the global reads below 0). */
export function isBudgetExhausted(exports: Readonly<Record<string, unknown>>, exportName = BUDGET_EXPORT): boolean {
  const global = budgetGlobalOf(exports, exportName)
  return global !== undefined && global.value < 0
}

function section(out: WasmBinaryWriter, id: number, payload: WasmBinaryWriter): void {
  out.u8(id).sized(payload)
}

/** A vector section with one more entry at the end; existing entries are copied as they are. */
function appendToVector(bytes: Uint8Array, s: Section, entry: Uint8Array): WasmBinaryWriter {
  const r = new WasmBinaryReader(bytes, s.payloadStart, s.end)
  const count = r.u32()
  return new WasmBinaryWriter().u32(count + 1).bytes(bytes.subarray(r.pos, s.end)).bytes(entry)
}

function budgetGlobalEntry(initialBudget: number): Uint8Array {
  // (global (mut i32) (i32.const initialBudget))
  return new WasmBinaryWriter().u8(0x7f).u8(0x01).u8(0x41).s32(initialBudget).u8(0x0b).finish()
}

function budgetExportEntry(name: string, globalIndex: number): Uint8Array {
  return new WasmBinaryWriter().name(name).u8(0x03).u32(globalIndex).finish()
}

/** budget -= 1 (through the scratch local, Wasm has no global.tee); trap when it went below 0. */
function countdown(budgetIndex: number, scratchLocal: number): Uint8Array {
  return new WasmBinaryWriter()
    .u8(0x23).u32(budgetIndex) // global.get $budget
    .u8(0x41).s32(1) // i32.const 1
    .u8(0x6b) // i32.sub
    .u8(0x22).u32(scratchLocal) // local.tee $scratch
    .u8(0x24).u32(budgetIndex) // global.set $budget
    .u8(0x20).u32(scratchLocal) // local.get $scratch
    .u8(0x41).s32(0) // i32.const 0
    .u8(0x48) // i32.lt_s
    .u8(0x04).u8(0x40) // if
    .u8(0x00) // unreachable
    .u8(0x0b) // end
    .finish()
}

function rewriteCode(bytes: Uint8Array, s: Section, layout: ModuleLayout, budgetIndex: number): { payload: WasmBinaryWriter; checkCount: number } {
  const r = new WasmBinaryReader(bytes, s.payloadStart, s.end)
  const count = r.u32()
  if (count !== layout.functionTypes.length) {
    r.fail(`code section has ${count} bodies but the function section declares ${layout.functionTypes.length}`, s.payloadStart)
  }
  const payload = new WasmBinaryWriter().u32(count)
  let checkCount = 0
  for (let i = 0; i < count; i++) {
    const size = r.u32()
    const bodyStart = r.pos
    r.skip(size)
    const paramCount = layout.paramCounts[layout.functionTypes[i] as number] ?? -1
    if (paramCount < 0) r.fail(`function ${i} has no function type`, bodyStart)
    const body = rewriteBody(bytes, bodyStart, r.pos, paramCount, budgetIndex)
    if (body === undefined) {
      payload.u32(size).bytes(bytes.subarray(bodyStart, r.pos))
    } else {
      payload.sized(body.writer)
      checkCount += body.checkCount
    }
  }
  return { payload, checkCount }
}

function rewriteBody(bytes: Uint8Array, start: number, end: number, paramCount: number, budgetIndex: number): { writer: WasmBinaryWriter; checkCount: number } | undefined {
  const r = new WasmBinaryReader(bytes, start, end)
  const groups = r.u32()
  const declStart = r.pos
  let localCount = 0
  for (let g = 0; g < groups; g++) {
    localCount += r.u32()
    skipValType(r)
  }
  const exprStart = r.pos
  const loopHeads: number[] = []
  let hasTailCall = false
  while (!r.isAtEnd) {
    const op = skipInstruction(r)
    if (op === OP_LOOP) loopHeads.push(r.pos)
    else if (op === OP_RETURN_CALL || op === OP_RETURN_CALL_INDIRECT || op === OP_RETURN_CALL_REF) hasTailCall = true
  }
  if (loopHeads.length === 0 && !hasTailCall) return undefined
  const check = countdown(budgetIndex, paramCount + localCount)
  const w = new WasmBinaryWriter()
    .u32(groups + 1)
    .bytes(bytes.subarray(declStart, exprStart))
    .u32(1).u8(0x7f) // the scratch local: one i32, after all others
  if (hasTailCall) w.bytes(check)
  let cursor = exprStart
  for (const head of loopHeads) {
    w.bytes(bytes.subarray(cursor, head)).bytes(check)
    cursor = head
  }
  w.bytes(bytes.subarray(cursor, end))
  return { writer: w, checkCount: loopHeads.length + (hasTailCall ? 1 : 0) }
}
