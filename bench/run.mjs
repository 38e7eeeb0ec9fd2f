// `npm run bench`: the upstream and every scenario in its own process (pinned apart from the load
// generator where the machine allows), the same load on each, rounds alternated, medians, and one
// markdown table on stdout. Progress goes to stderr. See bench/README.md.
//
// Env: CONNECTIONS (50) DURATION s (5) ROUNDS (3) WARMUP s (2) PIPELINING (1)
//      SCENARIOS (comma list, default all) WORKLOADS (get,post16k) TOOL (wrk|autocannon; wrk when installed)
//      BUSY_PCT (25) BUSY_RETRIES (0): a round in which other processes took more than BUSY_PCT % of
//      the measured CPU is run again, at most BUSY_RETRIES times
//      RATE (req/s, 0 = as fast as possible; set: autocannon at that fixed total rate, for CPU-cost A/B)
//      CONCURRENT=1 with RATE: all scenarios driven at once, each at RATE (A/B on a busy machine)
//      RATIO_PEERS (nginx,undici-dispatch) JSON_OUT (file for the raw rounds) CPU_PROF_DIR (Node rows, sampled every CPU_PROF_INTERVAL_US = 250 µs,
//      run with --cpu-prof writing there; ALLOC_PROF_DIR: allocation sampling incl. collected garbage (lib/alloc-sampler.mjs, lib/alloc-summary.mjs); summarize with lib/profile-summary.mjs)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir, cpus as osCpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { cpuBusySeconds, cpuPlan, cpuSeconds, freePort, rssBytes, startProcess, waitForPortLine, waitReady } from './lib/procs.mjs'
import { hasWrk, REQUEST_HEADERS, runLoad, WORKLOADS } from './lib/load.mjs'
import { markdownTable, median, targetsTable } from './lib/report.mjs'
import { selectScenarios } from './scenarios/index.mjs'
import { buildBenchWasm } from './lib/build-bench-wasm.mjs'

const env = process.env
const opts = {
  connections: Number(env.CONNECTIONS ?? 50),
  durationS: Number(env.DURATION ?? 5),
  rounds: Number(env.ROUNDS ?? 3),
  warmupS: Number(env.WARMUP ?? 2),
  pipelining: Number(env.PIPELINING ?? 1),
  rate: Number(env.RATE ?? 0),
  tool: env.TOOL ?? (env.RATE ? 'autocannon' : hasWrk() ? 'wrk' : 'autocannon'),
  busyPct: Number(env.BUSY_PCT ?? 25),
  busyRetries: Number(env.BUSY_RETRIES ?? 0),
  ratioPeers: (env.RATIO_PEERS ?? 'nginx,undici-dispatch').split(',').filter(Boolean),
}
const workloads = Object.fromEntries(
  (env.WORKLOADS ?? Object.keys(WORKLOADS).join(','))
    .split(',')
    .filter(Boolean)
    .map((w) => {
      if (!WORKLOADS[w]) throw new Error(`unknown workload "${w}"; known: ${Object.keys(WORKLOADS).join(', ')}`)
      return [w, WORKLOADS[w]]
    }),
)
const scenarios = selectScenarios(env.SCENARIOS)
const plan = cpuPlan()
const log = (s) => process.stderr.write(`[bench] ${s}\n`)
const tmpDir = mkdtempSync(join(tmpdir(), 'wasmgate-bench-'))
const running = []
const LEGEND =
  'Ratio cells: median of per-round req/s ratios, then in brackets the same from CPU time (peer µs/req ÷ row µs/req; above 1 = fewer CPU µs per request). ' +
  'The CPU ratio holds when other processes share the machine; req/s does not.'

async function main() {
  log(`${scenarios.length} scenarios × ${Object.keys(workloads).length} workloads, ${opts.rounds} rounds of ${opts.durationS}s, ${opts.tool}, -c${opts.connections}` +
    (plan.pin ? `, pinned: target cpu ${plan.target}, load cpu ${plan.load}, upstream cpu ${plan.upstream}` : ', not pinned'))
  const benchWasm = await buildBenchWasm()

  const upstream = startProcess({ cmd: process.execPath, args: [new URL('./upstream.mjs', import.meta.url).pathname], cpus: plan.upstream })
  running.push(upstream)
  const upstreamPort = await waitForPortLine(upstream)
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}`

  const cells = new Map()
  const live = []
  for (const s of scenarios) {
    const fail = (why) => {
      const short = why.replace(/\s+/g, ' ').slice(0, 160)
      for (const w of Object.keys(workloads)) cells.set(`${s.name}/${w}`, { scenario: s.name, workload: w, rounds: [], failed: `not run: ${short}` })
      log(`${s.name}: ${short}`)
    }
    const why = s.unavailable?.()
    if (why) {
      fail(why)
      continue
    }
    const ctx = {
      name: s.name,
      port: await freePort(),
      upstreamUrl,
      upstreamPort,
      tmpDir,
      benchWasm,
      cpus: s.cpus === 2 ? plan.target2 : plan.target,
      nodeArgs: [
        ...(env.CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${env.CPU_PROF_DIR}`, `--cpu-prof-interval=${env.CPU_PROF_INTERVAL_US ?? 250}`] : []),
        ...(env.ALLOC_PROF_DIR ? ['--import', new URL('./lib/alloc-sampler.mjs', import.meta.url).pathname] : []),
      ],
    }
    let started
    try {
      started = await s.start(ctx)
      running.push(started.proc)
      await waitReady(started.url, started.proc, 20_000, REQUEST_HEADERS)
    } catch (err) {
      if (started) await started.proc.stop()
      fail(err.message)
      continue
    }
    log(`${s.name}: ready at ${started.url} (pid ${started.proc.pid})`)
    live.push({ s, ...started, cpus: ctx.cpus })
    for (const w of Object.keys(workloads)) cells.set(`${s.name}/${w}`, { scenario: s.name, workload: w, rounds: [] })
  }

  const load = (target, w, durationS) =>
    runLoad({ tool: opts.tool, url: target.url, workload: workloads[w], connections: opts.connections, durationS, pipelining: opts.pipelining, cpus: plan.load, rate: opts.rate })

  if (opts.warmupS > 0) {
    for (const t of live) for (const w of Object.keys(workloads)) await load(t, w, opts.warmupS).catch((err) => log(`${t.s.name} warm-up: ${err.message}`))
    log('warm-up done')
  }

  // CONCURRENT=1 (with RATE): every scenario is driven at the same time, each at RATE req/s, so
  // whatever else runs on the machine hits all of them alike; CPU µs/req then compares closely.
  if (env.CONCURRENT === '1') {
    if (!(opts.rate > 0)) throw new Error('CONCURRENT=1 needs RATE (req/s per scenario)')
    for (let round = 0; round < opts.rounds; round++) {
      for (const w of Object.keys(workloads)) {
        const before = live.map((t) => ({ t, cpu0: cpuSeconds(t.proc.pid) }))
        const results = await Promise.all(live.map((t) => load(t, w, opts.durationS).catch((err) => err)))
        before.forEach(({ t, cpu0 }, i) => {
          const r = results[i]
          if (r instanceof Error) return log(`${t.s.name}/${w} round ${round + 1}: ${r.message}`)
          const cpu = cpuSeconds(t.proc.pid) - cpu0
          const row = { ...r, cpuUsPerReq: r.requests > 0 ? (cpu * 1e6) / r.requests : NaN, rssBytes: rssBytes(t.proc.pid), otherPct: NaN }
          cells.get(`${t.s.name}/${w}`).rounds.push(row)
          log(`round ${round + 1} ${t.s.name}/${w}: ${Math.round(r.rps)} req/s p99 ${r.p99Ms.toFixed(2)} ms, ${row.cpuUsPerReq.toFixed(1)} µs/req`)
        })
      }
    }
  }

  for (let round = 0; round < (env.CONCURRENT === '1' ? 0 : opts.rounds); round++) {
    // Alternate the order so no scenario always runs first (or last) in a round.
    const order = round % 2 === 0 ? live : [...live].reverse()
    for (const t of order) {
      for (const w of Object.keys(workloads)) {
        const cell = cells.get(`${t.s.name}/${w}`)
        if (t.proc.exited) {
          const why = `died during the run (${t.proc.exited.code ?? t.proc.exited.signal}): ${t.proc.output().replace(/\s+/g, ' ').slice(-160)}`
          if (cell.rounds.length === 0) cell.failed = why
          else cell.died ??= `died after ${cell.rounds.length} round(s)`
          continue
        }
        // A round where other processes took much of the measured CPU is measured again
        // (BUSY_RETRIES times at most): shared machines are noisy.
        for (let attempt = 0; ; attempt++) {
          const cpu0 = cpuSeconds(t.proc.pid)
          const busy0 = cpuBusySeconds(t.cpus)
          let r
          try {
            r = await load(t, w, opts.durationS)
          } catch (err) {
            log(`${t.s.name}/${w} round ${round + 1}: ${err.message}`)
            break
          }
          const cpu = cpuSeconds(t.proc.pid) - cpu0
          // Share of the measured CPUs that other processes took during the round.
          const otherPct = (100 * (cpuBusySeconds(t.cpus) - busy0 - cpu)) / opts.durationS / (t.cpus?.split(/[,-]/).length ?? 1)
          const row = { ...r, cpuUsPerReq: r.requests > 0 ? (cpu * 1e6) / r.requests : NaN, rssBytes: rssBytes(t.proc.pid), otherPct }
          const busy = otherPct > opts.busyPct && attempt < opts.busyRetries
          log(`round ${round + 1} ${t.s.name}/${w}: ${Math.round(r.rps)} req/s p99 ${r.p99Ms.toFixed(2)} ms, ${row.cpuUsPerReq.toFixed(0)} µs/req` +
            (Number.isFinite(otherPct) ? `, other processes on cpu ${t.cpus}: ${Math.max(0, otherPct).toFixed(0)}%` : '') + (busy ? ' (busy: again)' : ''))
          if (busy) continue
          cell.rounds.push(row)
          break
        }
      }
    }
  }

  const cpuModel = osCpus()[0]?.model ?? 'unknown cpu'
  const heading =
    `Machine: ${plan.n} cores (${cpuModel}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; ` +
    `${opts.tool} -c${opts.connections}${opts.rate > 0 ? ` at a fixed ${opts.rate} req/s` : ''}${opts.pipelining > 1 ? ` pipelining ${opts.pipelining}` : ''}, ${opts.rounds} rounds × ${opts.durationS}s (medians), ` +
    (plan.pin ? `measured process on cpu ${plan.target}, load generator on cpu ${plan.load}, upstream on cpu ${plan.upstream}` : 'no CPU pinning')
  const others = [...cells.values()].flatMap((c) => c.rounds.map((r) => r.otherPct)).filter(Number.isFinite)
  const otherMedian = median(others)
  const heading2 = Number.isFinite(otherMedian)
    ? `Other processes took a median ${Math.max(0, otherMedian).toFixed(0)}% (max ${Math.max(0, ...others).toFixed(0)}%) of the measured CPU during the rounds; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}.`
    : `Load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}.`
  const table = markdownTable({ scenarios, workloads, cells, ratioPeers: opts.ratioPeers })
  process.stdout.write(`${heading}\n${heading2}\n\n${table}\n\n${LEGEND}\n\n${targetsTable({ workloads, cells })}\n`)
  if (env.JSON_OUT) writeFileSync(env.JSON_OUT, JSON.stringify({ heading, opts, cells: [...cells.values()] }, null, 2))
}

async function cleanup() {
  await Promise.all(running.map((p) => p.stop()))
  rmSync(tmpDir, { recursive: true, force: true })
}

// Ctrl-C or a kill must not leave proxies, nginx or the upstream running.
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    log(`${sig}: stopping every process started`)
    cleanup().finally(() => process.exit(130))
  })
}

try {
  await main()
} finally {
  await cleanup()
}
