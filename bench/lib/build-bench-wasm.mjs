// Compiles the benchmark's own filters (bench/filters/<name>/assembly/index.ts, raw ABI, no SDK)
// to bench/filters/<name>/build/<name>.wasm with asc, skipping a build that is newer than its source.
import asc from 'assemblyscript/asc'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const filtersDir = new URL('../filters/', import.meta.url).pathname
// Their own asconfig: without --config asc would apply the project's asconfig.json (the SDK's
// abort/trace/seed hooks), which these raw-ABI filters neither need nor can resolve here.
const ownConfig = join(filtersDir, 'asconfig.json')

export async function buildBenchWasm() {
  const built = {}
  for (const name of readdirSync(filtersDir)) {
    const entry = join(filtersDir, name, 'assembly', 'index.ts')
    if (!existsSync(entry)) continue
    const out = join(filtersDir, name, 'build', `${name}.wasm`)
    built[name] = out
    if (existsSync(out) && statSync(out).mtimeMs > statSync(entry).mtimeMs) continue
    let log = ''
    const sink = { write: (s) => ((log += s), true) }
    const { error } = await asc.main([entry, '-o', out, '--config', ownConfig, '--runtime', 'stub', '-O3', '--noAssert'], { stdout: sink, stderr: sink })
    if (error) throw new Error(`asc failed on ${entry}: ${error.message}\n${log}`)
  }
  return built
}
