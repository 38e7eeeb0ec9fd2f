/**
 * @module
 * Builds the ABI host's own raw-ABI AssemblyScript fixtures (test/fixtures/wasm/abi-host/assembly/) with
 * the real asc, once per source hash, into the OS temp directory.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const dir = fileURLToPath(new URL('../fixtures/wasm/abi-host/', import.meta.url))

export async function buildAbiHostFixture(name: string): Promise<string> {
  const src = join(dir, 'assembly', `${name}.ts`)
  const hash = createHash('sha256').update(readFileSync(src)).digest('hex').slice(0, 16)
  const outDir = join(tmpdir(), 'wasmgate-abi-host-fixtures')
  mkdirSync(outDir, { recursive: true })
  const out = join(outDir, `${name}-${hash}.wasm`)
  if (existsSync(out)) return out
  const { default: asc } = await import('assemblyscript/asc')
  let errText = ''
  const { error } = await asc.main([src, '--outFile', out, '--config', join(dir, 'asconfig.json'), '--optimizeLevel', '2', '--noColors'], {
    stdout: { write: () => true },
    stderr: { write: (c: string | Uint8Array) => ((errText += String(c)), true) },
  })
  if (error) throw new Error(`asc failed for ${src}:\n${errText || error.message}`)
  return out
}
