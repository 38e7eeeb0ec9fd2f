/**
 * @module
 * vitest globalSetup (integration project): bundles the host (dist/), then compiles every
 * AssemblyScript filter (filters/* and test/fixtures/filters/*) with scripts/build-wasm.mjs,
 * which caches by source hash, so a plain `npx vitest` never tests a stale bundle or module.
 * Interop filters built with other SDKs are compiled by the interop tests themselves (their
 * compilers are separate installs, and a missing one must fail those tests, not every test).
 */
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))

async function importScript<T>(name: string): Promise<T> {
  return (await import(pathToFileURL(join(root, 'scripts', name)).href)) as T
}

export default async function setup(): Promise<void> {
  // The CLI tests run the bundle users run (bin/wasmgate.js -> dist/cli.js); esbuild takes ~1 s.
  await (await importScript<{ buildHost(): Promise<void> }>('build-host.mjs')).buildHost()
  await (await importScript<{ buildAllWasm(o?: { quiet?: boolean }): Promise<unknown> }>('build-wasm.mjs')).buildAllWasm({ quiet: true })
}
