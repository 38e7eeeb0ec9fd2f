// Types for scripts/build-wasm.mjs, for the TypeScript tests that call it.
export interface CompileResult {
  readonly outFile: string
  readonly bytes: number
  readonly sha256: string
  readonly cached: boolean
}
export function findFilterDirs(): string[]
export function formatDiagnostics(text: string, packagePrefix?: string): string
export function compileFilterDir(dir: string, options?: { target?: 'release' | 'debug'; useCache?: boolean }): Promise<CompileResult>
export function buildAllWasm(options?: { quiet?: boolean }): Promise<void>
