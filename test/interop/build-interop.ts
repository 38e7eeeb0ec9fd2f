/**
 * @module
 * Builds the interop filters: each test/interop/<sdk>/ has its own package.json pinning the SDK
 * and the AssemblyScript compiler that SDK needs. A missing install is made here from its lock
 * file (what test/interop/install.sh does), so `npm ci && npm test` needs nothing else; if that
 * fails, the interop tests fail with the command to run. They never skip.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
export const INTEROP_DIR = fileURLToPath(new URL('.', import.meta.url))

/** Compiles test/interop/<sdk>/assembly/index.ts with that directory's own asc; returns the .wasm path. */
export async function buildInterop(sdk: string, ascArgs: readonly string[]): Promise<string> {
  const dir = join(INTEROP_DIR, sdk)
  const asc = join(dir, 'node_modules', '.bin', 'asc')
  if (!existsSync(asc)) {
    try {
      await run('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir })
    } catch (err) {
      const e = err as { stderr?: string; message: string }
      throw new Error(`${sdk}: its SDK and compiler are not installed and npm ci failed; run: bash test/interop/install.sh\n${e.stderr ?? e.message}`)
    }
  }
  mkdirSync(join(dir, 'build'), { recursive: true })
  const out = join('build', `${sdk}.wasm`)
  const abs = join(dir, out)
  // Rebuild only when the source or the installed packages changed (old compilers are slow).
  const inputs = [join(dir, 'assembly', 'index.ts'), join(dir, 'package-lock.json'), join(dir, 'node_modules', '.package-lock.json')]
  if (existsSync(abs) && inputs.every((f) => !existsSync(f) || statSync(f).mtimeMs < statSync(abs).mtimeMs)) return abs
  try {
    await run(asc, ['assembly/index.ts', ...ascArgs, out], { cwd: dir })
  } catch (err) {
    const e = err as { stderr?: string; message: string }
    throw new Error(`${sdk}: asc failed:\n${e.stderr ?? e.message}`)
  }
  return join(dir, out)
}
