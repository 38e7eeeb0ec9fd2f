// Differential test of header-rewrite's regex engine against JavaScript's RegExp: random patterns
// (from a grammar both engines read the same way) and random paths; the overall match (group 0)
// must be the same. Leftmost-first priority makes the Pike VM pick the match a backtracking
// engine picks. Repeated atoms never match empty: there the two differ on purpose (README).
import { describe, expect, it } from 'vitest'
import { filterDir, useFilter } from '../../helpers/filter-harness.ts'

// Each test loads its filter once and runs every case through it; closed after the file.
const rewrite = useFilter(filterDir('header-rewrite'), {}, { keepOpen: true })

// A small seeded generator (mulberry32), so a failure reproduces.
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface Node { src: string; nullable: boolean }

function generator(rand: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T
  const atom = (depth: number): Node => {
    const r = rand()
    if (depth < 2 && r < 0.2) {
      const inner = alternation(depth + 1)
      return { src: `(${inner.src})`, nullable: inner.nullable }
    }
    if (depth < 2 && r < 0.3) {
      const inner = alternation(depth + 1)
      return { src: `(?:${inner.src})`, nullable: inner.nullable }
    }
    return { src: pick(['a', 'b', '/', '-', '1', '.', '[ab]', '[^a/]', '\\d', '[a-c1]', '\\/']), nullable: false }
  }
  // Only atoms that cannot match empty get a quantifier: for an empty iteration, JavaScript
  // backtracks (its empty check) where the filter's engine, like RE2, accepts it.
  const quantified = (depth: number): Node => {
    const a = atom(depth)
    if (a.nullable || rand() >= 0.35) return a
    const q = pick(['*', '+', '?', '{1,2}', '{2}', '*?', '+?', '??', '{0,2}'])
    return { src: a.src + q, nullable: q.startsWith('*') || q.startsWith('?') || q === '{0,2}' }
  }
  const concat = (depth: number): Node => {
    const parts = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => quantified(depth))
    return { src: parts.map((p) => p.src).join(''), nullable: parts.every((p) => p.nullable) }
  }
  const alternation = (depth: number): Node => {
    if (rand() >= 0.25) return concat(depth)
    const a = concat(depth)
    const b = concat(depth)
    return { src: `${a.src}|${b.src}`, nullable: a.nullable || b.nullable }
  }
  return {
    pattern: () => (rand() < 0.2 ? '^' : '') + alternation(0).src + (rand() < 0.2 ? '$' : ''),
    input: () => {
      let s = '/'
      const n = Math.floor(rand() * 10)
      for (let i = 0; i < n; i++) s += pick(['a', 'b', 'c', '/', '-', '1', '2'])
      return s
    },
  }
}

describe('header-rewrite regex engine vs JavaScript RegExp', () => {
  it.each(Array.from({ length: 20 }, (_, i) => i + 1))('seed %i: 64 random patterns x 40 random paths agree on the match', async (seed) => {
    const gen = generator(rng(seed))
    // Patterns JS reads differently (none expected from this grammar) would fail here first.
    const patterns = Array.from({ length: 64 }, () => gen.pattern())
    const js = patterns.map((p) => new RegExp(p))
    const rules = patterns.map((p, i) => ({ match: { regex: p }, request: { set: { [`x-r${i}`]: '[${0}]' } } }))
    const f = await rewrite.load({ config: { rules } })
    for (let k = 0; k < 40; k++) {
      const path = gen.input()
      const got = (await f.request({ path })).upstreamRequest?.headers ?? {}
      for (let i = 0; i < patterns.length; i++) {
        const m = (js[i] as RegExp).exec(path)
        expect(got[`x-r${i}`], `/${patterns[i]}/ on ${path}`).toBe(m === null ? undefined : `[${m[0]}]`)
      }
    }
  })
})
