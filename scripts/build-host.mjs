// Bundles the host and CLI with esbuild into dist/ (cli.js, index.js, testing.js).
import { build } from 'esbuild'
import { existsSync, rmSync } from 'node:fs'

const root = new URL('..', import.meta.url).pathname

export async function buildHost() {
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
