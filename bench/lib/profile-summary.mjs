// Summarizes a V8 .cpuprofile (node --cpu-prof): self time by area (node:http, undici, wasmgate,
// GC...), the top functions by self time, and the inclusive time of the functions whose names
// match FOCUS (a regex). Times are shares of the non-idle samples, so runs of different lengths
// compare. Usage: node bench/lib/profile-summary.mjs FILE.cpuprofile [TOP=25] [FOCUS=regex]
import { readFileSync } from 'node:fs'

const [file, topArg, focusArg] = process.argv.slice(2)
if (!file) {
  process.stderr.write('usage: node bench/lib/profile-summary.mjs FILE.cpuprofile [TOP] [FOCUS-REGEX]\n')
  process.exit(2)
}
const top = Number(topArg ?? 25)
const focus = focusArg ? new RegExp(focusArg) : undefined
const profile = JSON.parse(readFileSync(file, 'utf8'))

const byId = new Map()
const parent = new Map()
for (const n of profile.nodes) {
  byId.set(n.id, n)
  for (const c of n.children ?? []) parent.set(c, n.id)
}

function area(cf) {
  const u = cf.url
  if (!u) return cf.functionName.startsWith('(') ? cf.functionName : '(native/builtin)'
  if (u.includes('/undici/')) return 'undici'
  if (u.includes('/dist/') || u.includes('/host/')) return 'wasmgate'
  if (u.includes('/pino') || u.includes('sonic-boom') || u.includes('thread-stream')) return 'pino'
  if (u.includes('prom-client')) return 'prom-client'
  if (u.includes('node_modules')) return 'other packages'
  if (/node:(_http|http)|internal\/http|_http_/.test(u)) return 'node:http'
  if (/node:net|internal\/stream_base|internal\/net|node:stream|internal\/streams/.test(u)) return 'node:net+streams'
  if (u.startsWith('node:')) return 'node (other)'
  return 'other js'
}

const name = (cf) => `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*\/(node_modules|dist|host|bench)\//, '$1/').replace(/^file:\/\//, '')}:${cf.lineNumber + 1}`

// Self time per node from the samples and their time deltas.
const selfUs = new Map()
let total = 0
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]
  const dt = profile.timeDeltas[i] ?? 0
  const cf = byId.get(id).callFrame
  if (cf.functionName === '(idle)') continue
  selfUs.set(id, (selfUs.get(id) ?? 0) + dt)
  total += dt
}

const byArea = new Map()
const byFn = new Map()
const fnsByArea = new Map()
const inclusive = new Map()
for (const [id, us] of selfUs) {
  const cf = byId.get(id).callFrame
  byArea.set(area(cf), (byArea.get(area(cf)) ?? 0) + us)
  byFn.set(name(cf), (byFn.get(name(cf)) ?? 0) + us)
  const fa = fnsByArea.get(area(cf)) ?? new Map()
  fa.set(name(cf), (fa.get(name(cf)) ?? 0) + us)
  fnsByArea.set(area(cf), fa)
  if (focus) {
    const seen = new Set()
    for (let n = id; n !== undefined; n = parent.get(n)) {
      const c = byId.get(n).callFrame
      if (!focus.test(c.functionName)) continue
      const k = name(c)
      if (seen.has(k)) continue
      seen.add(k)
      inclusive.set(k, (inclusive.get(k) ?? 0) + us)
    }
  }
}

const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`
const print = (title, m, n) => {
  process.stdout.write(`\n${title}\n`)
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) process.stdout.write(`${pct(us)}  ${k}\n`)
}
process.stdout.write(`${file}: ${(total / 1e6).toFixed(2)} s of non-idle samples\n`)
print('Self time by area', byArea, 20)
print(`Top ${top} functions by self time`, byFn, top)
for (const [a] of [...byArea].sort((x, y) => y[1] - x[1]).slice(0, 8)) print(`Top functions in ${a}`, fnsByArea.get(a), Number(process.env.PER_AREA ?? 6))
if (focus) print(`Inclusive time of functions matching ${focus}`, inclusive, top)
