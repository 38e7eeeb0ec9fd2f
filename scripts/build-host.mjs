// Bundles the host and CLI with esbuild into dist/ (cli.js, index.js, testing.js).
import { build } from 'esbuild'
import { existsSync, renameSync, rmSync } from 'node:fs'

const root = new URL('..', import.meta.url).pathname

export async function buildHost() {
  const entryPoints = { cli: 'host/cli/main.ts', index: 'host/index.ts', testing: 'host/testing.ts' }
  for (const [name, file] of Object.entries(entryPoints)) if (!existsSync(root + file)) delete entryPoints[name]
  // Build beside dist/ and swap it in, so a process running dist/cli.js meanwhile (a parallel
  // test run) never sees it half-built; the swap also drops stale content-hashed chunks.
  const tmp = `dist.tmp-${process.pid}`
  rmSync(root + tmp, { recursive: true, force: true })
  await build({
    absWorkingDir: root,
    entryPoints,
    outdir: tmp,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    sourcemap: true,
    splitting: true,
    logLevel: 'warning',
  })
  rmSync(root + 'dist', { recursive: true, force: true })
  renameSync(root + tmp, root + 'dist')
}
