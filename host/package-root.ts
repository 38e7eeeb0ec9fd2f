/**
 * @module
 * Where the wasmgate package lives on disk (from source, host/…, or the bundle, dist/…): the
 * SDK, asconfig.json and the built example filters are found relative to it.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

let cached: string | undefined

/** The directory holding wasmgate's own package.json. */
export function packageRoot(): string {
  if (cached !== undefined) return cached
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'wasmgate') return (cached = dir)
    if (dirname(dir) === dir) throw new Error('cannot find the wasmgate package directory (package.json named wasmgate)')
  }
}

/** True when wasmgate runs from a checkout rather than from an installed package. */
export function isRunningFromCheckout(): boolean {
  return !packageRoot().split(sep).includes('node_modules')
}
