// Turns the rounds into the one markdown table (medians, ratios to peers measured in the same
// run) and the issue targets. Ratios are medians of per-round ratios: both sides of a ratio were
// measured minutes apart in the same round, so machine drift cancels better than in a ratio of
// two medians.

export function median(xs) {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (v.length === 0) return NaN
  const mid = v.length >> 1
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2
}

/** Median over rounds of a.rps / b.rps, pairing round i with round i. */
export function pairedRatio(a, b, field = 'rps') {
  if (!a?.rounds.length || !b?.rounds.length) return NaN
  const n = Math.min(a.rounds.length, b.rounds.length)
  const r = []
  for (let i = 0; i < n; i++) r.push(a.rounds[i][field] / b.rounds[i][field])
  return median(r)
}

/**
 * The same comparison from CPU time: b's µs per request ÷ a's, so above 1 means a serves more
 * requests per CPU second. It holds up when other processes share the machine, req/s does not.
 */
export function cpuRatio(a, b) {
  return pairedRatio(b, a, 'cpuUsPerReq')
}

const fmt = {
  int: (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–'),
  ms: (x) => (Number.isFinite(x) ? x.toFixed(2) : '–'),
  mb: (x) => (Number.isFinite(x) ? (x / 1048576).toFixed(0) : '–'),
  us: (x) => (Number.isFinite(x) ? x.toFixed(0) : '–'),
  ratio: (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '–'),
}

/** Medians of one cell (scenario × workload). */
export function summarize(cell) {
  const r = cell.rounds
  return {
    rps: median(r.map((x) => x.rps)),
    p50Ms: median(r.map((x) => x.p50Ms)),
    p99Ms: median(r.map((x) => x.p99Ms)),
    rssBytes: median(r.map((x) => x.rssBytes)),
    cpuUsPerReq: median(r.map((x) => x.cpuUsPerReq)),
    errors: r.reduce((n, x) => n + x.errors + x.non2xx, 0),
    requests: r.reduce((n, x) => n + x.requests, 0),
  }
}

/**
 * cells: Map key `${scenario}/${workload}` → { scenario, workload, rounds, failed? }.
 * ratioPeers: scenario names whose columns show `row ÷ peer`.
 */
export function markdownTable({ scenarios, workloads, cells, ratioPeers }) {
  const peers = ratioPeers.filter((p) => scenarios.some((s) => s.name === p))
  const head = ['Scenario', 'req/s', 'p50 ms', 'p99 ms', 'RSS MB', 'CPU µs/req', ...peers.map((p) => `× ${p}`)]
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`]
  for (const [wname, w] of Object.entries(workloads)) {
    for (const s of scenarios) {
      const cell = cells.get(`${s.name}/${wname}`)
      const label = `${s.label} · ${w.label}`
      if (!cell || cell.failed) {
        lines.push(`| ${label} | ${cell?.failed ?? 'not run'} |${' |'.repeat(head.length - 2)}`)
        continue
      }
      const m = summarize(cell)
      let warn = m.errors > 0 ? ` ⚠ ${((100 * m.errors) / Math.max(1, m.requests)).toFixed(1)}% errors/non-2xx` : ''
      if (cell.died) warn += ` ⚠ ${cell.died}`
      const ratios = peers.map((p) => {
        if (p === s.name) return '1.00×'
        const peer = cells.get(`${p}/${wname}`)
        return `${fmt.ratio(pairedRatio(cell, peer))} (${fmt.ratio(cpuRatio(cell, peer))})`
      })
      lines.push(`| ${label}${warn} | ${fmt.int(m.rps)} | ${fmt.ms(m.p50Ms)} | ${fmt.ms(m.p99Ms)} | ${fmt.mb(m.rssBytes)} | ${fmt.us(m.cpuUsPerReq)} |${ratios.map((r) => ` ${r} |`).join('')}`)
    }
  }
  return lines.join('\n')
}

// The targets of issue 8 (and issue 2's first one): [label, a, b, kind, goal].
const TARGETS = [
  ['issue 2: wasmgate ÷ undici dispatch peer', 'wasmgate', 'undici-dispatch', 'ratio', 0.9],
  ['issue 8: wasmgate ÷ undici dispatch peer', 'wasmgate', 'undici-dispatch', 'ratio', 1.0],
  ['issue 8: wasmgate ÷ @fastify/http-proxy', 'wasmgate', 'fastify-proxy', 'ratio', 1.5],
  ['issue 8: wasmgate ÷ http-proxy', 'wasmgate', 'http-proxy', 'ratio', 1.5],
  ['issue 8: 4 filters ÷ no filter', 'wasmgate-4filters', 'wasmgate', 'ratio', 0.8],
  ['issue 8: 4 Wasm filters ÷ same 4 in TS', 'wasmgate-4filters', 'wasmgate-ts4', 'ratio', 1.0],
  ['issue 8 (stretch): 4 filters ÷ nginx', 'wasmgate-4filters', 'nginx', 'ratio', 0.5],
  ['issue 8: p99 4 filters − p99 undici dispatch (ms)', 'wasmgate-4filters', 'undici-dispatch', 'p99diff', 1.0],
  ['(info) 1 no-op Wasm filter ÷ no filter', 'wasmgate-noop', 'wasmgate', 'ratio', undefined],
  ['(info) SDK add-header filter ÷ no filter', 'wasmgate-addheader', 'wasmgate', 'ratio', undefined],
  ['(info) access log on ÷ off', 'wasmgate-accesslog', 'wasmgate', 'ratio', undefined],
]

export function targetsTable({ workloads, cells }) {
  const names = Object.keys(workloads)
  const lines = [`| Target | goal | ${names.map((w) => workloads[w].label).join(' | ')} |`, `| --- | ---: |${names.map(() => ' ---: |').join('')}`]
  for (const [label, a, b, kind, goal] of TARGETS) {
    const vals = names.map((w) => {
      const ca = cells.get(`${a}/${w}`)
      const cb = cells.get(`${b}/${w}`)
      if (!ca?.rounds.length || !cb?.rounds.length) return '–'
      if (kind === 'p99diff') {
        const d = summarize(ca).p99Ms - summarize(cb).p99Ms
        return `${d.toFixed(2)} ms${goal === undefined ? '' : d <= goal ? ' ✓' : ' ✗'}`
      }
      const mark = (r) => (goal === undefined ? '' : r >= goal ? ' ✓' : ' ✗')
      const r = pairedRatio(ca, cb)
      const c = cpuRatio(ca, cb)
      return `${fmt.ratio(r)}${mark(r)} (CPU ${fmt.ratio(c)}${mark(c)})`
    })
    const g = goal === undefined ? '' : kind === 'p99diff' ? `≤ ${goal} ms` : `≥ ${goal}×`
    lines.push(`| ${label} | ${g} | ${vals.join(' | ')} |`)
  }
  return lines.join('\n')
}
