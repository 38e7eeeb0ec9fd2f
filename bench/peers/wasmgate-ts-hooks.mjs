// wasmgate (dist/index.js createGateway, as wasmgate-api.mjs) with the four production filters
// run as plain-TypeScript hooks (ts-hooks-runtime.ts) instead of Wasm: same config file, same
// server path. tsx compiles the hooks once at startup; nothing of it runs per request.
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { register } from 'tsx/esm/api'
import { parse } from 'yaml'

register()
const dist = process.env.WASMGATE_BUILD_DIR ? pathToFileURL(resolve(process.env.WASMGATE_BUILD_DIR, 'index.js')).href : new URL('../../dist/index.js', import.meta.url).href
const { createGateway } = await import(dist)
const { createTsHooksRuntime } = await import('./ts-hooks-runtime.ts')
const file = process.env.CONFIG
const gateway = await createGateway(parse(readFileSync(file, 'utf8')), { baseDir: dirname(file), filterRuntimeForTesting: createTsHooksRuntime })
process.stdout.write(JSON.stringify({ port: gateway.port }) + '\n')
process.on('SIGTERM', () => gateway.close().then(() => process.exit(0)))
