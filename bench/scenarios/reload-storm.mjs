// Hot reload costs, end to end (issue 6): a wasmgate process in front of the bench upstream, one
// route through the reload-version test filter.
//
// 1. PUT to serving: a 100 KiB module (the filter's unoptimized debug build, padded to 100 KiB
//    with a custom section, a fresh digest each time so every PUT compiles) is PUT with a new
//    config; the clock stops at the first proxied response carrying the new version. Also the
//    server's own figure (reloadMs in the PUT answer: fetch, compile, canary, swap).
// 2. Reload storm vs steady state: the same load (autocannon or wrk) for DURATION seconds, once
//    with nothing else going on and once while a client replaces the filter back to back; rounds
//    alternate steady/storm and the ratio is the median of per-round ratios (machine drift).
//    CPU µs per request of the proxy process (from /proc) is reported too, and the CPU one reload
//    costs (the storm's CPU beyond what its requests cost at the steady rate): on a shared machine
//    CPU time is steadier than req/s.
//
//   node bench/scenarios/reload-storm.mjs            ROUNDS=3 DURATION=5 CONNECTIONS=50 RELOADS=30
//
// Runs the CLI from source through tsx (what the tests run); WASMGATE_DIST=1 runs dist/ instead
// (`npm run build` first: an old dist/ may predate hot reload).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { request } from 'undici'
import asc from 'assemblyscript/asc'
import { compileFilterDir } from '../../scripts/build-wasm.mjs'
import { hasWrk, runLoad, WORKLOADS } from '../lib/load.mjs'
import { cpuPlan, cpuSeconds, freePort, startProcess, waitForPortLine, waitReady } from '../lib/procs.mjs'
import { median } from '../lib/report.mjs'

const root = new URL('../..', import.meta.url).pathname
const FIXTURE = join(root, 'test', 'fixtures', 'filters', 'reload-version')
const MODULE_BYTES = 100 * 1024
const ROUNDS = Number(process.env.ROUNDS ?? 3)
const DURATION = Number(process.env.DURATION ?? 5)
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50)
const RELOADS = Number(process.env.RELOADS ?? 30)

/** The fixture built without optimization (more code, like a debug build users load), to a temp dir. */
async function debugModule(dir) {
  await compileFilterDir(FIXTURE) // also links the SDK package name asc resolves
  const outFile = join(dir, 'reload-version.debug.wasm')
  let errText = ''
  const { error } = await asc.main(
    [relative(root, join(FIXTURE, 'assembly', 'index.ts')), '--config', 'asconfig.json', '--target', 'debug', '--outFile', relative(root, outFile), '--path', '.cache/asc-packages', '--noColors'],
    { stdout: { write: () => true }, stderr: { write: (c) => ((errText += String(c)), true) } },
  )
  if (error) throw new Error(`asc failed: ${errText || error.message}`)
  return readFileSync(outFile)
}

/** `bytes` plus a custom section: same code, `size` bytes in all, a digest of its own per salt. */
function padTo(bytes, size, salt) {
  const name = Buffer.from(`pad-${salt}`)
  const leb = (n) => {
    const out = []
    do {
      let b = n & 0x7f
      n = Math.floor(n / 128)
      if (n !== 0) b |= 0x80
      out.push(b)
    } while (n !== 0)
    return Buffer.from(out)
  }
  // Header: id byte + size LEB (at most 3 bytes here) + name length + name.
  const fill = size - bytes.length - 1 - 3 - leb(name.length).length - name.length
  if (fill < 0) return Buffer.concat([bytes])
  const payload = Buffer.concat([leb(name.length), name, Buffer.alloc(fill, 0x2a)])
  const section = Buffer.concat([Buffer.from([0]), leb(payload.length), payload])
  return Buffer.concat([bytes, section])
}

async function startGateway(dir, upstreamUrl, cpus) {
  const port = await freePort()
  const adminPort = await freePort()
  const config = join(dir, 'wasmgate.json')
  writeFileSync(
    config,
    JSON.stringify({
      listen: { host: '127.0.0.1', port },
      admin: { host: '127.0.0.1', port: adminPort },
      log: { level: 'warn', accessLog: false },
      clusters: [{ name: 'upstream', endpoints: [upstreamUrl] }],
      filters: [{ name: 'ver', source: join(FIXTURE, 'build', 'reload-version.wasm'), config: { version: '0' } }],
      routes: [{ match: { prefix: '/' }, cluster: 'upstream', filters: ['ver'] }],
    }),
  )
  const dist = process.env.WASMGATE_DIST === '1' && existsSync(join(root, 'dist', 'cli.js'))
  const args = dist ? [join(root, 'bin', 'wasmgate.js'), 'serve', '--config', config] : ['--import', 'tsx', join(root, 'host', 'cli', 'main.ts'), 'serve', '--config', config]
  const proc = startProcess({ cmd: process.execPath, args, cpus, cwd: root })
  const url = `http://127.0.0.1:${port}/`
  await waitReady(url, proc, 60_000)
  return { proc, url, adminUrl: `http://127.0.0.1:${adminPort}`, via: dist ? 'dist' : 'tsx' }
}

async function put(adminUrl, bytes, version) {
  const res = await request(`${adminUrl}/filters/ver?config=${encodeURIComponent(JSON.stringify({ version }))}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/wasm' },
    body: bytes,
  })
  const body = await res.body.json()
  if (res.statusCode !== 200) throw new Error(`PUT refused: ${JSON.stringify(body)}`)
  return body
}

async function versionAt(url) {
  const res = await request(url)
  await res.body.dump()
  return res.headers['x-version']
}

async function timeToServing(gw, base) {
  const total = []
  const server = []
  for (let i = 1; i <= RELOADS; i++) {
    const version = `t${i}`
    const bytes = padTo(base, MODULE_BYTES, `t${i}-${Date.now()}`)
    const t0 = performance.now()
    const answer = await put(gw.adminUrl, bytes, version)
    // The swap happens before PUT answers, so this should succeed at the first request.
    for (let tries = 0; (await versionAt(gw.url)) !== version; tries++) {
      if (tries > 1000) throw new Error(`version ${version} never served`)
    }
    total.push(performance.now() - t0)
    server.push(answer.reloadMs)
  }
  return { total, server }
}

async function measure(gw, base, plan, withStorm) {
  let reloads = 0
  let storming = withStorm
  const storm = (async () => {
    while (storming) {
      await put(gw.adminUrl, padTo(base, MODULE_BYTES, `s${reloads}-${Date.now()}`), `s${reloads}`)
      reloads++
    }
  })()
  const cpu0 = cpuSeconds(gw.proc.pid)
  const load = await runLoad({ tool: hasWrk() ? 'wrk' : 'autocannon', url: gw.url, workload: WORKLOADS.get, connections: CONNECTIONS, durationS: DURATION, pipelining: 1, cpus: plan.load })
  const cpu = cpuSeconds(gw.proc.pid) - cpu0
  storming = false
  await storm
  return { ...load, reloads, cpuUsPerReq: (cpu * 1e6) / load.requests }
}

const dir = mkdtempSync(join(tmpdir(), 'wasmgate-reload-bench-'))
const plan = cpuPlan()
const upstream = startProcess({ cmd: process.execPath, args: [join(root, 'bench', 'upstream.mjs')], env: { PORT: '0' }, cpus: plan.upstream })
let gw
try {
  const upstreamUrl = `http://127.0.0.1:${await waitForPortLine(upstream)}`
  const debug = await debugModule(dir)
  gw = await startGateway(dir, upstreamUrl, plan.target)
  const t = await timeToServing(gw, debug)
  const rounds = []
  for (let r = 0; r < ROUNDS; r++) {
    const steady = await measure(gw, debug, plan, false)
    const storm = await measure(gw, debug, plan, true)
    rounds.push({ steady, storm })
    process.stderr.write(`round ${r + 1}: steady ${steady.rps.toFixed(0)} req/s, storm ${storm.rps.toFixed(0)} req/s (${storm.reloads} reloads), errors ${steady.errors + storm.errors}, non-2xx ${steady.non2xx + storm.non2xx}\n`)
  }
  const p = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]
  const ms = (x) => `${x.toFixed(1)} ms`
  const steadyRps = median(rounds.map((x) => x.steady.rps))
  const stormRps = median(rounds.map((x) => x.storm.rps))
  const ratio = median(rounds.map((x) => x.storm.rps / x.steady.rps))
  const cpuRatio = median(rounds.map((x) => x.storm.cpuUsPerReq / x.steady.cpuUsPerReq))
  const reloadsPerS = median(rounds.map((x) => x.storm.reloads / DURATION))
  // CPU one reload costs the proxy: the storm's CPU beyond what its requests cost at the steady rate.
  const cpuPerReloadMs = median(rounds.map((x) => ((x.storm.cpuUsPerReq - x.steady.cpuUsPerReq) * x.storm.requests) / 1000 / Math.max(1, x.storm.reloads)))
  const failures = rounds.reduce((n, x) => n + x.steady.errors + x.steady.non2xx + x.storm.errors + x.storm.non2xx, 0)
  const lines = [
    `### Hot reload (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${plan.n} CPUs, gateway from ${gw.via}, ${CONNECTIONS} connections, ${DURATION} s x ${ROUNDS} rounds)`,
    '',
    `Module: reload-version debug build (${debug.length} bytes of Wasm) padded to ${MODULE_BYTES} bytes, a new digest per PUT (always compiled).`,
    '',
    '| Measure | median | p95 |',
    '|---|---|---|',
    `| PUT to first response from the new filter (${RELOADS} reloads) | ${ms(median(t.total))} | ${ms(p(t.total, 0.95))} |`,
    `| server side: fetch + compile + canary + swap (reloadMs) | ${ms(median(t.server))} | ${ms(p(t.server, 0.95))} |`,
    `| proxy CPU per reload during the storm (beyond its requests) | ${ms(cpuPerReloadMs)} | - |`,
    '',
    '| Scenario | req/s | p99 | proxy CPU µs/req | reloads/s | ratio vs steady |',
    '|---|---|---|---|---|---|',
    `| steady state | ${steadyRps.toFixed(0)} | ${ms(median(rounds.map((x) => x.steady.p99Ms)))} | ${median(rounds.map((x) => x.steady.cpuUsPerReq)).toFixed(0)} | 0 | 1.00 |`,
    `| reload storm (PUT back to back) | ${stormRps.toFixed(0)} | ${ms(median(rounds.map((x) => x.storm.p99Ms)))} | ${median(rounds.map((x) => x.storm.cpuUsPerReq)).toFixed(0)} | ${reloadsPerS.toFixed(1)} | ${ratio.toFixed(2)} (CPU/req x${cpuRatio.toFixed(2)}) |`,
    '',
    `Failed or non-2xx responses over all rounds: ${failures}.`,
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
} finally {
  await gw?.proc.stop()
  await upstream.stop()
  rmSync(dir, { recursive: true, force: true })
}
