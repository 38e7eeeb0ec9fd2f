/**
 * @module
 * Compiles the hand-written .wat fixtures (test/fixtures/wasm/) with the `wabt` npm package and
 * writes the bytes to a per-test temp file the gateway can load by path.
 */
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { onTestFinished } from 'vitest'
import wabtInit from 'wabt'

const FIXTURES = fileURLToPath(new URL('../../fixtures/wasm/', import.meta.url))
let wabt: Awaited<ReturnType<typeof wabtInit>> | undefined

export async function watToWasm(text: string, name = 'fixture.wat'): Promise<Uint8Array> {
  wabt ??= await wabtInit()
  const mod = wabt.parseWat(name, text, { mutable_globals: true, sat_float_to_int: true, sign_extension: true, bulk_memory: true, multi_value: true })
  try {
    mod.validate()
    return mod.toBinary({}).buffer
  } finally {
    mod.destroy()
  }
}

/** Writes bytes to a temp `.wasm` file removed when the test finishes; returns its path. */
export function tempWasm(bytes: Uint8Array, name = 'module.wasm'): string {
  const dir = mkdtempSync(join(tmpdir(), 'wasmgate-conf-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, name)
  writeFileSync(file, bytes)
  return file
}

/** Compiles test/fixtures/wasm/<name>.wat to a temp .wasm file; returns its path. */
export async function watFixture(name: string): Promise<string> {
  const text = readFileSync(join(FIXTURES, `${name}.wat`), 'utf8')
  return tempWasm(await watToWasm(text, `${name}.wat`), `${name}.wasm`)
}
