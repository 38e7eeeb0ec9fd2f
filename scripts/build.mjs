// Builds what `npm start` and `npm test` need: the host bundle (esbuild) and the Wasm filters
// (asc, see scripts/build-wasm.mjs). `node scripts/build.mjs host|wasm` builds one part.
import { build } from 'esbuild'
import { existsSync, rmSync } from 'node:fs'

const only = process.argv[2]
const root = new URL('..', import.meta.url).pathname

if (only === undefined || only === 'host') {
  const entryPoints = { cli: 'host/cli/main.ts', index: 'host/index.ts', testing: 'host/testing.ts' }
  for (const [name, file] of Object.entries(entryPoints)) if (!existsSync(root + file)) delete entryPoints[name]
  rmSync(root + 'dist', { recursive: true, force: true }) // split chunks are content-hashed: drop stale ones
  await build({
    absWorkingDir: root,
    entryPoints,
    outdir: 'dist',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    sourcemap: true,
    splitting: true,
    logLevel: 'warning',
  })
}

if ((only === undefined || only === 'wasm') && existsSync(root + 'scripts/build-wasm.mjs')) {
  const { buildAllWasm } = await import('./build-wasm.mjs')
  await buildAllWasm()
}
