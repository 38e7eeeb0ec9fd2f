// Where does B spend more CPU than A? Self time per function in two .cpuprofile files, as
// milliseconds and as µs per request when the request counts are given. Meant for profiles taken
// side by side at the same fixed rate (CONCURRENT=1 RATE=N CPU_PROF_DIR=...), so both served the
// same requests in the same time window.
// Usage: node bench/lib/profile-diff.mjs A.cpuprofile B.cpuprofile [REQUESTS_A REQUESTS_B] [TOP=30]
import { readFileSync } from 'node:fs'

const [fa, fb, ra, rb, topArg] = process.argv.slice(2)
if (!fa || !fb) {
  process.stderr.write('usage: node bench/lib/profile-diff.mjs A.cpuprofile B.cpuprofile [REQUESTS_A REQUESTS_B] [TOP]\n')
  process.exit(2)
}
const top = Number(topArg ?? 30)

function selfTimes(file) {
  const p = JSON.parse(readFileSync(file, 'utf8'))
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const out = new Map()
  for (let i = 0; i < p.samples.length; i++) {
    const cf = byId.get(p.samples[i]).callFrame
    if (cf.functionName === '(idle)') continue
    const url = cf.url.replace(/^.*\/(node_modules|dist|host|bench)\//, '$1/').replace(/chunk-[A-Z0-9]+\.js/, 'chunk.js')
    const k = `${cf.functionName || '(anonymous)'} ${url}`
    out.set(k, (out.get(k) ?? 0) + (p.timeDeltas[i] ?? 0))
  }
  return out
}

const a = selfTimes(fa)
const b = selfTimes(fb)
const perReq = ra && rb
const norm = (us, n) => (perReq ? us / Number(n) : us / 1000)
const unit = perReq ? 'µs/req' : 'ms'
const rows = []
for (const k of new Set([...a.keys(), ...b.keys()])) rows.push([k, norm(a.get(k) ?? 0, ra), norm(b.get(k) ?? 0, rb)])
const sum = (m, n) => norm([...m.values()].reduce((x, y) => x + y, 0), n)
process.stdout.write(`total: A ${sum(a, ra).toFixed(2)} ${unit}, B ${sum(b, rb).toFixed(2)} ${unit}\n\nB − A, largest first (${unit})\n`)
for (const [k, x, y] of rows.sort((p, q) => q[2] - q[1] - (p[2] - p[1])).slice(0, top)) {
  process.stdout.write(`${(y - x).toFixed(2).padStart(8)}  (A ${x.toFixed(2)}, B ${y.toFixed(2)})  ${k}\n`)
}
