// The four production filters (filters/<name>/build/<name>.wasm, built by `npm run build`) in the
// order a real route would chain them, each configured so that every benchmark request takes the
// filter's full path and is admitted: every request carries `authorization: Bearer bench-token`
// (lib/load.mjs REQUEST_HEADERS). Configs follow each filter's README; fix them here when a
// filter's schema changes (a refused config shows as "not run" with the filter's message).
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('../..', import.meta.url).pathname

export const BENCH_AUTHORIZATION = 'Bearer bench-token'

const CHAIN = [
  // An API key in the whole authorization value: one sha256 and a constant-time compare per request.
  {
    name: 'auth',
    config: {
      apiKeys: {
        header: 'authorization',
        keys: [{ name: 'bench', sha256: createHash('sha256').update(BENCH_AUTHORIZATION).digest('hex') }],
        consumerHeader: 'x-consumer',
      },
    },
  },
  {
    name: 'header-rewrite',
    config: {
      rules: [
        {
          name: 'bench',
          match: { prefix: '/' },
          request: { set: { 'x-bench': '1' }, remove: ['x-unused'] },
          response: { set: { 'x-served-by': 'wasmgate' } },
        },
      ],
    },
  },
  // Buckets keyed by client address, a limit never reached: the whole GCRA path, never a 429.
  { name: 'rate-limit', config: { rules: [{ name: 'bench', key: ['client_address'], limits: [{ requests: 1_000_000_000, per: 'second' }] }] } },
  { name: 'telemetry', config: {} },
]

function wasmPath(name) {
  return join(root, 'filters', name, 'build', `${name}.wasm`)
}

/** All four, or why not (`missing` names the ones not built). */
export function productionFilters() {
  const filters = CHAIN.map((f) => ({ name: f.name, source: wasmPath(f.name), config: f.config }))
  const missing = CHAIN.filter((f) => !existsSync(wasmPath(f.name))).map((f) => f.name)
  return { filters, missing: missing.length > 0 ? `filters not built yet: ${missing.join(', ')}` : undefined }
}

/** Those of the four that are built, in chain order (a row to watch while the rest lands). */
export function builtProductionFilters() {
  return CHAIN.filter((f) => existsSync(wasmPath(f.name))).map((f) => ({ name: f.name, source: wasmPath(f.name), config: f.config }))
}
