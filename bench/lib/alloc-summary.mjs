// Allocation sites by sampled bytes from a .heapprofile (lib/alloc-sampler.mjs or --heap-prof):
// self bytes per function, and the top stacks. Usage: node bench/lib/alloc-summary.mjs FILE [TOP=25]
import { readFileSync } from 'node:fs'

const [file, topArg] = process.argv.slice(2)
const top = Number(topArg ?? 25)
const { head } = JSON.parse(readFileSync(file, 'utf8'))
const byFn = new Map()
const stacks = new Map()
let total = 0
const short = (cf) => `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*\/(node_modules|dist|host|bench)\//, '$1/')}:${cf.lineNumber + 1}`
function walk(node, path) {
  const here = [...path, short(node.callFrame)]
  const bytes = node.selfSize ?? 0
  if (bytes > 0) {
    total += bytes
    byFn.set(here.at(-1), (byFn.get(here.at(-1)) ?? 0) + bytes)
    const k = here.slice(-4).join(' < ')
    stacks.set(k, (stacks.get(k) ?? 0) + bytes)
  }
  for (const c of node.children ?? []) walk(c, here)
}
walk(head, [])
const pct = (b) => `${((100 * b) / total).toFixed(1).padStart(5)}%`
process.stdout.write(`${file}: ${(total / 1048576).toFixed(1)} MB sampled\n\nTop allocating functions\n`)
for (const [k, b] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${pct(b)}  ${k}\n`)
process.stdout.write('\nTop stacks (innermost last)\n')
for (const [k, b] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${pct(b)}  ${k.split(' < ').reverse().join(' < ')}\n`)
