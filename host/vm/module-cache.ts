/**
 * @module
 * Compiles a module once per sha256 and checks its surface before anything runs: Wasm at all,
 * an ABI marker, an allocator, a memory export, and only imports this host provides for that
 * ABI version. The loop budget (metering.ts) is injected here, so every instance is bounded.
 */
import { createHash } from 'node:crypto'
import { WasmgateError } from '../errors.ts'
import { CALLBACK_EXPORTS, detectAbiVersion, findAllocatorName } from '../abi/abi-version.ts'
import type { AbiVersion } from '../abi/constants.ts'
import { providedImports } from '../abi/index.ts'
import { expectedSignature } from '../abi/import-signatures.ts'
import { readFunctionImportTypes } from './import-types.ts'
import { BUDGET_EXPORT, injectMetering } from './metering.ts'

export interface CompiledModule {
  /** Hex sha256 of the bytes as loaded (before metering). */
  readonly sha256: string
  readonly module: WebAssembly.Module
  readonly abiVersion: AbiVersion
  readonly allocator: string
  /** Exported function names (callbacks the host may call; others are never called). */
  readonly exportedFunctions: ReadonlySet<string>
  readonly imports: readonly string[]
  /** Name of the loop-budget global, when metering was injected. */
  readonly budgetGlobal: string | undefined
  readonly sizeBytes: number
}

export interface CompileOptions {
  /** Inject the loop budget (default true). */
  readonly metering?: boolean
}

const cache = new Map<string, Promise<CompiledModule>>()

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Compiles `bytes` (or returns the cached compile of the same sha256). Throws WG_ERR_WASM_*. */
export function compileModule(bytes: Uint8Array, options: CompileOptions = {}): Promise<CompiledModule> {
  const metering = options.metering ?? true
  const sha256 = sha256Hex(bytes)
  const key = `${sha256}:${metering ? 'm' : 'u'}`
  let entry = cache.get(key)
  if (entry === undefined) {
    entry = compileUncached(bytes, sha256, metering)
    cache.set(key, entry)
    // A refused module is not cached: the same bytes fail the same way, but keep memory bounded.
    entry.catch(() => cache.delete(key))
  }
  return entry
}

/**
 * Drops the cached compile of `sha256` (hot reload calls it once no filter uses the module), so
 * a proxy that loads many builds over time does not keep every one. Instances still running it
 * keep their module alive until they retire.
 */
export function forgetModule(sha256: string): void {
  cache.delete(`${sha256}:m`)
  cache.delete(`${sha256}:u`)
}

/** Surface checks shared by the loader and `wasmgate inspect`. */
export function inspectSurface(module: WebAssembly.Module): { abiVersion: AbiVersion; allocator: string; exportedFunctions: Set<string>; imports: string[] } {
  const exports = WebAssembly.Module.exports(module)
  const abiVersion = detectAbiVersion(exports)
  if (abiVersion === undefined) {
    const found = exports.filter((e) => e.name.startsWith('proxy_abi_version')).map((e) => e.name)
    throw new WasmgateError('WG_ERR_WASM_ABI_UNSUPPORTED', [found.length > 0 ? `found ${found.join(', ')}` : 'no proxy_abi_version_* export'])
  }
  const missing: string[] = []
  const allocator = findAllocatorName(exports)
  if (allocator === undefined) missing.push('malloc or proxy_on_memory_allocate')
  if (!exports.some((e) => e.name === 'memory' && e.kind === 'memory')) missing.push('memory')
  if (missing.length > 0) throw new WasmgateError('WG_ERR_WASM_MISSING_EXPORT', [missing.join(', ')])
  const provided = providedImports(abiVersion)
  const imports = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}${i.kind === 'function' ? '' : ` (${i.kind})`}`)
  const unknown = imports.filter((name) => !provided.has(name))
  if (unknown.length > 0) throw new WasmgateError('WG_ERR_WASM_UNKNOWN_IMPORT', [`${unknown.join(', ')} (ABI ${abiVersion})`])
  const exportedFunctions = new Set(exports.filter((e) => e.kind === 'function').map((e) => e.name))
  return { abiVersion, allocator: allocator as string, exportedFunctions, imports }
}

async function compileUncached(bytes: Uint8Array, sha256: string, metering: boolean): Promise<CompiledModule> {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new WasmgateError('WG_ERR_WASM_INVALID', ['the bytes do not start with the Wasm magic number \\0asm'])
  }
  let plain: WebAssembly.Module
  try {
    plain = await WebAssembly.compile(bytes)
  } catch (err) {
    throw new WasmgateError('WG_ERR_WASM_INVALID', [(err as Error).message], { cause: err })
  }
  const surface = inspectSurface(plain)
  checkImportSignatures(bytes, surface.abiVersion)
  let module = plain
  let budgetGlobal: string | undefined
  if (metering) {
    const metered = injectMetering(bytes)
    try {
      module = await WebAssembly.compile(metered.bytes)
    } catch (err) {
      throw new WasmgateError('WG_ERR_WASM_INVALID', [`after injecting the loop budget: ${(err as Error).message}`], { cause: err })
    }
    budgetGlobal = metered.budgetGlobal
  }
  return {
    sha256,
    module,
    abiVersion: surface.abiVersion,
    allocator: surface.allocator,
    exportedFunctions: surface.exportedFunctions,
    imports: surface.imports,
    budgetGlobal,
    sizeBytes: bytes.length,
  }
}

/** A known import declared with another type would link (JS functions take anything) and misbehave: refuse it. */
export function checkImportSignatures(bytes: Uint8Array, abiVersion: AbiVersion): void {
  const types = readFunctionImportTypes(bytes)
  if (types === undefined) return
  const wrong: string[] = []
  for (const [key, sig] of types) {
    const dot = key.indexOf('.')
    const expected = expectedSignature(key.slice(0, dot), key.slice(dot + 1))
    if (expected !== undefined && expected !== sig) wrong.push(`${key} declared as (${sig}), expected (${expected})`)
  }
  if (wrong.length > 0) throw new WasmgateError('WG_ERR_WASM_UNKNOWN_IMPORT', [`${wrong.join('; ')} (ABI ${abiVersion})`])
}

export { BUDGET_EXPORT, CALLBACK_EXPORTS }
