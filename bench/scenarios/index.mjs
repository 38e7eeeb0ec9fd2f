// Every end-to-end scenario: how to start the measured process in front of the shared upstream.
// `start(ctx)` returns { proc, url }; `unavailable(ctx)` returns why a row cannot run here (the
// row then says so instead of a number). Rows fill in as the pieces they need land.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { findNginx, nginxCommand } from '../peers/nginx.mjs'
import { writeWasmgateConfig } from '../peers/wasmgate.mjs'
import { startProcess, waitForPortLine } from '../lib/procs.mjs'
import { builtProductionFilters, productionFilters } from './production-filters.mjs'

const benchDir = new URL('..', import.meta.url).pathname
const root = new URL('../..', import.meta.url).pathname
const ADD_HEADER = join(root, 'filters', 'add-header', 'build', 'add-header.wasm')

/** A Node script from bench/ in its own process, announcing its port on stdout. */
async function nodeScript(ctx, script, env = {}) {
  const proc = startProcess({ cmd: process.execPath, args: [...ctx.nodeArgs, join(benchDir, script)], env: { ...env, PORT: String(ctx.port) }, cpus: ctx.cpus })
  const port = await waitForPortLine(proc)
  return { proc, url: `http://127.0.0.1:${port}/` }
}

function nodePeer(script) {
  return (ctx) => nodeScript(ctx, script, { UPSTREAM: ctx.upstreamUrl })
}

function wasmgateUnavailable() {
  // WASMGATE_BUILD_DIR (with WASMGATE_VIA=api): measure a snapshot of a build instead of dist/.
  if (process.env.WASMGATE_BUILD_DIR) return existsSync(join(process.env.WASMGATE_BUILD_DIR, 'index.js')) ? undefined : `no index.js in WASMGATE_BUILD_DIR=${process.env.WASMGATE_BUILD_DIR}`
  if (!existsSync(join(root, 'dist', 'cli.js'))) return 'wasmgate is not built (dist/cli.js missing)'
  return undefined
}

function wasmgate(options = {}) {
  const { filters = () => [], workers, accessLog = false, proxyHeaders, dist, launcher } = options
  const start = async (ctx) => {
    const config = writeWasmgateConfig({ dir: ctx.tmpDir, name: ctx.name, port: ctx.port, upstreamUrl: ctx.upstreamUrl, filters: filters(ctx), accessLog, proxyHeaders })
    // WASMGATE_VIA=api runs the same gateway through createGateway (no --workers there); so does
    // a row measuring another build (`dist`). `launcher` (a script in peers/) always goes that way.
    const viaApi = (process.env.WASMGATE_VIA === 'api' || dist !== undefined || launcher !== undefined) && !workers
    const args = [...ctx.nodeArgs, ...(viaApi ? [join(benchDir, 'peers', launcher ?? 'wasmgate-api.mjs')] : [join(root, 'bin', 'wasmgate.js'), 'serve', '--config', config])]
    if (workers) args.push('--workers', String(workers))
    const proc = startProcess({ cmd: process.execPath, args, cpus: ctx.cpus, cwd: root, env: { CONFIG: config, ...(dist ? { WASMGATE_BUILD_DIR: dist } : {}) } })
    return { proc, url: `http://127.0.0.1:${ctx.port}/` }
  }
  // Kept so `wasmgate-alt` can run the same scenario on another build.
  start.options = options
  return start
}

export const SCENARIOS = [
  {
    name: 'direct',
    label: 'upstream direct (ceiling)',
    start: (ctx) => nodeScript(ctx, 'upstream.mjs'),
  },
  {
    name: 'nginx',
    label: 'nginx, 1 worker',
    unavailable: () => (findNginx() ? undefined : 'nginx not installed (apt-get install -y nginx)'),
    start: async (ctx) => {
      const { cmd, args } = nginxCommand({ bin: findNginx(), dir: join(ctx.tmpDir, 'nginx'), port: ctx.port, upstreamPort: ctx.upstreamPort })
      const proc = startProcess({ cmd, args, cpus: ctx.cpus })
      return { proc, url: `http://127.0.0.1:${ctx.port}/` }
    },
  },
  { name: 'undici-dispatch', label: 'node:http + undici dispatch', start: nodePeer('peers/minimal-undici-dispatch.mjs') },
  {
    name: 'undici-controller',
    label: 'node:http + undici dispatch, controller API',
    optional: true,
    start: nodePeer('peers/minimal-undici-controller.mjs'),
  },
  { name: 'undici-request', label: 'node:http + undici request+pipe', start: nodePeer('peers/minimal-undici-request.mjs') },
  { name: 'fastify-proxy', label: '@fastify/http-proxy', start: nodePeer('peers/fastify-http-proxy.mjs') },
  { name: 'http-proxy', label: 'http-proxy', start: nodePeer('peers/http-proxy.mjs') },
  { name: 'wasmgate', label: 'wasmgate, no filter', unavailable: wasmgateUnavailable, start: wasmgate() },
  {
    name: 'wasmgate-accesslog',
    label: 'wasmgate, no filter, access log on',
    unavailable: wasmgateUnavailable,
    start: wasmgate({ accessLog: true }),
  },
  {
    name: 'wasmgate-lean',
    label: 'wasmgate, no filter, no x-forwarded/x-request-id',
    optional: true,
    unavailable: wasmgateUnavailable,
    start: wasmgate({ proxyHeaders: { xForwarded: false, requestId: false } }),
  },
  {
    // ALT_OF names the scenario to repeat (default wasmgate); WASMGATE_ALT_DIST the other build.
    name: 'wasmgate-alt',
    label: `${process.env.ALT_OF ?? 'wasmgate'}, build in ${process.env.WASMGATE_ALT_DIST ?? '$WASMGATE_ALT_DIST'}`,
    optional: true,
    unavailable: () => (process.env.WASMGATE_ALT_DIST ? undefined : 'set WASMGATE_ALT_DIST to the dist/ of the build to compare'),
    start: (ctx) => {
      const of = SCENARIOS.find((s) => s.name === (process.env.ALT_OF ?? 'wasmgate'))
      if (!of?.start.options) throw new Error(`ALT_OF=${process.env.ALT_OF} is not a wasmgate scenario`)
      return wasmgate({ ...of.start.options, dist: process.env.WASMGATE_ALT_DIST })(ctx)
    },
  },
  {
    name: 'wasmgate-noop',
    label: 'wasmgate + 1 no-op Wasm filter',
    unavailable: wasmgateUnavailable,
    start: wasmgate({ filters: (ctx) => [{ name: 'noop', source: ctx.benchWasm.noop }] }),
  },
  {
    name: 'wasmgate-addheader',
    label: 'wasmgate + SDK add-header filter',
    unavailable: () => wasmgateUnavailable() ?? (existsSync(ADD_HEADER) ? undefined : 'filters/add-header is not built (npm run build)'),
    start: wasmgate({ filters: () => [{ name: 'add-header', source: ADD_HEADER, config: { name: 'x-bench', value: '1' } }] }),
  },
  {
    name: 'wasmgate-4filters',
    label: 'wasmgate + 4 production filters',
    unavailable: () => wasmgateUnavailable() ?? productionFilters().missing,
    start: wasmgate({ filters: () => productionFilters().filters }),
  },
  {
    name: 'wasmgate-built-filters',
    label: `wasmgate + ${builtProductionFilters().map((f) => f.name).join(', ') || 'no'} filters`,
    optional: true,
    unavailable: () => wasmgateUnavailable() ?? (builtProductionFilters().length > 0 ? undefined : 'none of the four production filters is built'),
    start: wasmgate({ filters: () => builtProductionFilters() }),
  },
  {
    name: 'wasmgate-ts4',
    label: 'wasmgate + same 4 as TS hooks',
    // The four's config file (sources included, unused), run by peers/ts-hooks-runtime.ts through
    // createGateway's filterRuntimeForTesting: the same server path as the Wasm row.
    unavailable: () => wasmgateUnavailable() ?? productionFilters().missing,
    start: wasmgate({ filters: () => productionFilters().filters, launcher: 'wasmgate-ts-hooks.mjs' }),
  },
  {
    name: 'wasmgate-workers2',
    label: 'wasmgate, no filter, --workers 2',
    cpus: 2,
    unavailable: wasmgateUnavailable,
    start: wasmgate({ workers: 2 }),
  },
]

/** The scenarios named in SCENARIOS (comma list), in table order; all but the optional ones when unset. */
export function selectScenarios(list) {
  if (!list) return SCENARIOS.filter((s) => !s.optional)
  const names = list.split(',').map((s) => s.trim()).filter(Boolean)
  for (const n of names) {
    if (!SCENARIOS.some((s) => s.name === n)) throw new Error(`unknown scenario "${n}"; known: ${SCENARIOS.map((s) => s.name).join(', ')}`)
  }
  return SCENARIOS.filter((s) => names.includes(s.name))
}
