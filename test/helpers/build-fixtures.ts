/**
 * @module
 * vitest globalSetup (integration project): bundles the host (dist/), then compiles the AssemblyScript test filters under
 * test/fixtures/filters/ once per run, before any test file loads them. It reuses
 * scripts/build-wasm.mjs (cached by source hash) when present, and otherwise calls asc itself.
 * Interop filters built with other SDKs are compiled by the interop tests themselves (their
 * compilers are separate installs, and a missing one must fail those tests, not every test).
 */
import { existsSync, readdirSync, mkdirSync } from 'node:fs'
import { join, basename, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const FIXTURE_ROOT = join(root, 'test', 'fixtures', 'filters')

interface WasmBuildScript {
  compileFilterDir(dir: string, opts?: { target?: string; useCache?: boolean }): Promise<{ outFile: string }>
}

function fixtureDirs(): string[] {
  if (!existsSync(FIXTURE_ROOT)) return []
  return readdirSync(FIXTURE_ROOT, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(FIXTURE_ROOT, e.name, 'assembly', 'index.ts')))
    .map((e) => join(FIXTURE_ROOT, e.name))
}

async function compileWithAsc(dir: string): Promise<void> {
  const { default: asc } = await import('assemblyscript/asc')
  const own = join(dir, 'asconfig.json')
  const outFile = join(dir, 'build', `${basename(dir)}.wasm`)
  mkdirSync(join(dir, 'build'), { recursive: true })
  let errText = ''
  const argv = [relative(root, join(dir, 'assembly', 'index.ts')), '--outFile', relative(root, outFile), '--noColors']
  if (existsSync(own)) argv.push('--config', relative(root, own), '--target', 'release')
  const { error } = await asc.main(argv, {
    stdout: { write: () => true },
    stderr: { write: (c: string | Uint8Array) => ((errText += String(c)), true) },
  })
  if (error) throw new Error(`asc failed for ${relative(root, dir)}:\n${errText || error.message}`)
}

export async function buildFixtures(): Promise<void> {
  const script = join(root, 'scripts', 'build-wasm.mjs')
  const builder = existsSync(script) ? ((await import(pathToFileURL(script).href)) as WasmBuildScript) : undefined
  for (const dir of fixtureDirs()) {
    if (builder) await builder.compileFilterDir(dir)
    else await compileWithAsc(dir)
  }
}

export default async function setup(): Promise<void> {
  // The CLI tests run the bundle users run (bin/wasmgate.js -> dist/cli.js): rebuild it so a
  // plain `npx vitest` after a source change never tests a stale bundle (esbuild: ~1 s).
  const { buildHost } = (await import(pathToFileURL(join(root, 'scripts', 'build-host.mjs')).href)) as { buildHost(): Promise<void> }
  await buildHost()
  await buildFixtures()
}
