// wasmgate started through its public API (dist/index.js createGateway) instead of the CLI:
// the same gateway `wasmgate serve` runs, for when the CLI cannot serve a config yet.
// CONFIG is the config file the runner wrote; the port is in it.
import { readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { parse } from 'yaml'

const { createGateway } = await import(new URL('../../dist/index.js', import.meta.url).href)
const file = process.env.CONFIG
const gateway = await createGateway(parse(readFileSync(file, 'utf8')), { baseDir: dirname(file) })
process.stdout.write(JSON.stringify({ port: gateway.port }) + '\n')
process.on('SIGTERM', () => gateway.close().then(() => process.exit(0)))
