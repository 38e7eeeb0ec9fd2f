/**
 * Shared by the metering tests (AS sources live in test/fixtures/metering/assembly/, which tsc skips): a typed view of the WebAssembly JS API (the project's TS libs
 * carry none), the real AssemblyScript compiler run in-process, and wabt for hand-written .wat.
 */
import { fileURLToPath } from 'node:url'
import asc from 'assemblyscript/asc'
import wabtInit from 'wabt'

export interface WasmGlobal {
  value: number
}
export interface WasmInstance {
  readonly exports: Record<string, unknown>
}
export interface WasmApi {
  validate(bytes: Uint8Array): boolean
  Module: {
    new (bytes: Uint8Array): object
    exports(module: object): Array<{ name: string; kind: string }>
    imports(module: object): Array<{ module: string; name: string; kind: string }>
    customSections(module: object, name: string): ArrayBuffer[]
  }
  Instance: new (module: object, imports?: Record<string, Record<string, unknown>>) => WasmInstance
  Global: new (descriptor: { value: string; mutable?: boolean }, value: number) => WasmGlobal
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => object
  RuntimeError: new () => Error
}

export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

export const fixtureDir = fileURLToPath(new URL('../../fixtures/metering/', import.meta.url))

/** Compiles an AssemblyScript fixture with the real compiler; fails the test on any diagnostic. */
export async function compileAssemblyScript(entry: string, flags: string[]): Promise<Uint8Array> {
  let binary: Uint8Array | undefined
  const stderr = asc.createMemoryStream()
  const result = await asc.main(
    [fixtureDir + 'assembly/' + entry, '--config', fixtureDir + 'asconfig.json', '--outFile', 'out.wasm', ...flags],
    {
      stderr,
      writeFile(name, contents) {
        if (name.endsWith('.wasm') && typeof contents !== 'string') binary = contents
      },
    },
  )
  if (result.error !== null || binary === undefined) {
    throw new Error(`asc failed on ${entry}: ${String(result.error)}\n${stderr.toString()}`)
  }
  return binary
}

type Wabt = Awaited<ReturnType<typeof wabtInit>>
let wabt: Wabt | undefined

export const allFeatures = {
  exceptions: true, mutable_globals: true, sat_float_to_int: true, sign_extension: true, simd: true,
  threads: true, function_references: true, multi_value: true, tail_call: true, bulk_memory: true,
  reference_types: true, memory64: true, extended_const: true, relaxed_simd: true, code_metadata: true,
  annotations: true,
}

/**
 * Assembles WebAssembly text with wabt (every proposal we decode enabled). Not validated here:
 * wabt.js validates with its default features (it refuses shared memory), so the tests validate
 * the bytes with V8 instead, or with wabtValidate for what this V8 lacks.
 */
export async function assemble(wat: string, options: { debugNames?: boolean } = {}): Promise<Uint8Array> {
  wabt ??= await wabtInit()
  const mod = wabt.parseWat('fixture.wat', wat, allFeatures)
  try {
    mod.resolveNames()
    return mod.toBinary({ write_debug_names: options.debugNames ?? false }).buffer
  } finally {
    mod.destroy()
  }
}

/** wabt's validator: an independent check for proposals this Node's V8 does not ship (try_table). */
export async function wabtValidate(bytes: Uint8Array): Promise<void> {
  wabt ??= await wabtInit()
  const mod = wabt.readWasm(bytes, { readDebugNames: false, ...allFeatures })
  try {
    mod.validate()
  } finally {
    mod.destroy()
  }
}

/** Runs `fn`, returning the error it throws (or failing when it throws nothing). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected a throw')
}
