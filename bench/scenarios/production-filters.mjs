// The four production filters (filters/<name>/build/<name>.wasm, built by `npm run build`) in the
// order a real route would chain them, each configured the way the benchmark load passes it:
// every request carries `authorization: Bearer bench-token` (see lib/load.mjs). Adjust a config
// here when a filter's README changes its schema.
import { existsSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('../..', import.meta.url).pathname

export const BENCH_TOKEN = 'bench-token'

const CHAIN = [
  { name: 'auth', config: { mode: 'static', tokens: [BENCH_TOKEN] } },
  { name: 'header-rewrite', config: { request: { set: { 'x-bench': '1' }, remove: ['x-unused'] }, response: { set: { 'x-served-by': 'wasmgate' } } } },
  { name: 'rate-limit', config: { requestsPerSecond: 1_000_000_000, burst: 1_000_000_000, key: 'global' } },
  { name: 'telemetry', config: {} },
]

export function productionFilters() {
  const filters = []
  const missing = []
  for (const f of CHAIN) {
    const source = join(root, 'filters', f.name, 'build', `${f.name}.wasm`)
    if (!existsSync(source)) missing.push(f.name)
    filters.push({ name: f.name, source, config: f.config })
  }
  return { filters, missing: missing.length > 0 ? `filters not built yet: ${missing.join(', ')}` : undefined }
}

/** The TS-hook twin of the four filters needs a host API for in-process JS filters. */
export function tsHooksUnavailable() {
  return 'the host has no TypeScript hook API yet (needed to run the same 4 filters as plain TS)'
}
