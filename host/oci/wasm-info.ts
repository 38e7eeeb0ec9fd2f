/**
 * @module
 * What `inspect` and the image annotations say about a module: its proxy-wasm ABI version
 * (from the `proxy_abi_version_*` marker exports), imports, exports, size and sha256.
 */
import { WasmgateError } from '../errors.ts'
import { sha256Hex } from './digest.ts'

export interface WasmModuleInfo {
  readonly sizeBytes: number
  /** Hex sha256 of the module bytes (what Envoy's RemoteDataSource checks). */
  readonly sha256: string
  /** `v0.2.1`-style versions of every ABI marker exported, newest first. */
  readonly abiVersions: readonly string[]
  readonly imports: readonly { module: string; name: string; kind: string }[]
  readonly exports: readonly { name: string; kind: string }[]
}

const ABI_MARKERS: readonly (readonly [string, string])[] = [
  ['proxy_abi_version_0_2_1', 'v0.2.1'],
  ['proxy_abi_version_0_2_0', 'v0.2.0'],
  ['proxy_abi_version_0_1_0', 'v0.1.0'],
]

/** Compiles (never instantiates) the module to read its surface; throws WG_ERR_WASM_INVALID. */
export function describeWasmModule(bytes: Uint8Array, source = 'module'): WasmModuleInfo {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new WasmgateError('WG_ERR_WASM_INVALID', [`${source} does not start with the \\0asm magic`])
  }
  let mod: WebAssembly.Module
  try {
    mod = new WebAssembly.Module(bytes)
  } catch (err) {
    throw new WasmgateError('WG_ERR_WASM_INVALID', [`${source}: ${(err as Error).message}`], { cause: err })
  }
  const exports = WebAssembly.Module.exports(mod).map((e) => ({ name: e.name, kind: e.kind }))
  const imports = WebAssembly.Module.imports(mod).map((i) => ({ module: i.module, name: i.name, kind: i.kind }))
  const names = new Set(exports.map((e) => e.name))
  const abiVersions = ABI_MARKERS.filter(([name]) => names.has(name)).map(([, version]) => version)
  return { sizeBytes: bytes.length, sha256: sha256Hex(bytes), abiVersions, imports, exports }
}
