// wasmgate started through its public API (dist/index.js createGateway) instead of the CLI:
// the same gateway `wasmgate serve` runs, for when the CLI cannot serve a config yet.
// CONFIG is the config file the runner wrote; the port is in it. WASMGATE_BUILD_DIR points at another
// build's dist/ (an experiment, another branch) so two builds can be measured in one run.
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parse } from 'yaml'

const dist = process.env.WASMGATE_BUILD_DIR ? pathToFileURL(resolve(process.env.WASMGATE_BUILD_DIR, 'index.js')).href : new URL('../../dist/index.js', import.meta.url).href
const { createGateway } = await import(dist)
const file = process.env.CONFIG
const gateway = await createGateway(parse(readFileSync(file, 'utf8')), { baseDir: dirname(file) })
process.stdout.write(JSON.stringify({ port: gateway.port }) + '\n')
process.on('SIGTERM', () => gateway.close().then(() => process.exit(0)))
