// SDK size and per-request cost: the add-header filter built with our SDK vs the same filter
// built with another AssemblyScript SDK from npm (@gcoredev/proxy-wasm-sdk-as), in one run.
//
//   npm run build && node bench/scenarios/sdk-size-and-cost/run.mjs
//   env: ROUNDS (default 15), REQUESTS per batch (2000), CONNECTIONS (10)
//
// One gateway (dist/index.js createGateway) with three routes on one upstream: no filter, our
// add-header, the peer's add-header. Batches alternate between routes; the cost of a filter is
// the median CPU time per request of its route minus that of the no-filter route (CPU time is
// steadier than req/s on these machines). Client and upstream run in this process too and cost
// the same on every route, so they cancel out of the difference.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join, relative } from 'node:path'
import { Writable } from 'node:stream'
import { Pool } from 'undici'

const here = new URL('.', import.meta.url).pathname
const root = new URL('../../../', import.meta.url).pathname
const ROUNDS = Number(process.env.ROUNDS ?? 15)
const REQUESTS = Number(process.env.REQUESTS ?? 2000)
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10)
const PEER_SDK = '@gcoredev/proxy-wasm-sdk-as@1.2.3'

function buildPeer() {
  const prefix = join(root, '.cache', 'as-peers')
  if (!existsSync(join(prefix, 'node_modules', '@gcoredev', 'proxy-wasm-sdk-as'))) {
    mkdirSync(prefix, { recursive: true })
    execFileSync('npm', ['install', '--prefix', prefix, '--no-save', PEER_SDK], { stdio: 'inherit' })
  }
  const out = join(root, '.cache', 'peer-add-header.wasm')
  // Paths relative to the repo root: asc resolves an extended config's `lib` against the cwd.
  const rel = (p) => relative(root, p)
  execFileSync(process.execPath, [rel(join(root, 'node_modules/assemblyscript/bin/asc.js')), rel(join(here, 'peer-add-header/assembly/index.ts')),
    '--config', rel(join(here, 'peer-add-header/asconfig.json')), '--target', 'release', '--path', rel(join(prefix, 'node_modules')), '-o', rel(out)], { stdio: 'inherit', cwd: root })
  return out
}

const ours = join(root, 'filters/add-header/build/add-header.wasm')
if (!existsSync(ours) || !existsSync(join(root, 'dist/index.js'))) throw new Error('run `npm run build` first (needs dist/ and filters/add-header/build/)')
const peer = buildPeer()
const sizes = { ours: readFileSync(ours).length, peer: readFileSync(peer).length }

const upstream = createServer((req, res) => {
  req.resume()
  req.on('end', () => res.end('ok'))
})
await new Promise((r) => upstream.listen(0, '127.0.0.1', r))
const { createGateway } = await import(join(root, 'dist/index.js'))
const gw = await createGateway({
  listen: { host: '127.0.0.1', port: 0 },
  admin: { host: '127.0.0.1', port: 0 },
  clusters: [{ name: 'backend', endpoints: [`http://127.0.0.1:${upstream.address().port}`] }],
  filters: [
    { name: 'ours', source: ours, config: { name: 'x-bench', value: '1' } },
    { name: 'peer', source: peer, rootId: 'peer-add-header', config: 'x-bench:1' },
  ],
  routes: [
    { match: { prefix: '/ours' }, cluster: 'backend', filters: ['ours'] },
    { match: { prefix: '/peer' }, cluster: 'backend', filters: ['peer'] },
    { match: { prefix: '/' }, cluster: 'backend' },
  ],
}, { logLevel: 'warn', logDestination: new Writable({ write: (_c, _e, done) => done() }) })

const pool = new Pool(gw.url, { connections: CONNECTIONS })
async function batch(path, n) {
  let left = n
  const worker = async () => {
    while (left-- > 0) {
      const res = await pool.request({ path, method: 'GET' })
      if (res.headers['x-bench'] === undefined && path !== '/none') throw new Error(`${path}: the filter did not add its header`)
      await res.body.dump()
    }
  }
  const cpu0 = process.cpuUsage()
  await Promise.all(Array.from({ length: CONNECTIONS }, worker))
  const cpu = process.cpuUsage(cpu0)
  return (cpu.user + cpu.system) / n
}

const routes = ['/none', '/ours', '/peer']
for (const r of routes) await batch(r, REQUESTS) // warm up: JIT, pools, instances
const samples = { '/none': [], '/ours': [], '/peer': [] }
for (let i = 0; i < ROUNDS; i++) {
  const order = i % 2 === 0 ? routes : [...routes].reverse()
  for (const r of order) samples[r].push(await batch(r, REQUESTS))
}
await pool.close()
await gw.close()
upstream.close()

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const m = Object.fromEntries(routes.map((r) => [r, median(samples[r])]))
const cost = { ours: m['/ours'] - m['/none'], peer: m['/peer'] - m['/none'] }
const f = (x) => x.toFixed(1)
process.stdout.write(`## SDK: add-header filter, size and per-request cost (Node ${process.version}, ${new Date().toISOString().slice(0, 10)})

${ROUNDS} alternating rounds of ${REQUESTS} requests per route, ${CONNECTIONS} connections; CPU µs per request (median), whole process (client + proxy + upstream).

| filter | .wasm size (release) | CPU µs/request | filter cost (µs, vs no filter) |
|---|---|---|---|
| no filter | - | ${f(m['/none'])} | - |
| wasmgate SDK add-header | ${sizes.ours} bytes | ${f(m['/ours'])} | ${f(cost.ours)} |
| ${PEER_SDK} add-header | ${sizes.peer} bytes | ${f(m['/peer'])} | ${f(cost.peer)} |

size ratio ours/peer: ${(sizes.ours / sizes.peer).toFixed(2)}; cost ratio ours/peer: ${cost.peer > 0 ? (cost.ours / cost.peer).toFixed(2) : 'n/a'}
`)
