#!/usr/bin/env node
// The CLI is bundled by `npm run build` into dist/cli.js.
import { existsSync } from 'node:fs'

const cli = new URL('../dist/cli.js', import.meta.url)
if (!existsSync(cli)) {
  process.stderr.write('wasmgate is not built yet: run `npm run build` in the package directory first\n')
  process.exit(1)
}
await import(cli.href)
