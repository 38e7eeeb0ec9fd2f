/**
 * @module
 * The rate-limit filter's per-request logic as plain TypeScript, to compare the Wasm filter with
 * the same work done in the host (filters/rate-limit is the reference; same config format, same
 * GCRA token buckets, same headers). The bucket store is a Map standing in for shared data: one
 * event loop needs no CAS. Wire it to a host hook API as:
 *
 *   const rl = createRateLimit(config, 'rate-limit')
 *   const verdict = rl.onRequest(req)          // a local reply to send, or admitted
 *   if (verdict.reply) send(verdict.reply) else afterUpstream((h) => rl.onResponse(verdict, h))
 *
 * Config validation is minimal here (the Wasm filter checks every field).
 */

export interface RateLimitRequest {
  readonly method: string
  /** `:path`, query included. */
  readonly path: string
  readonly authority: string
  /** `IP:PORT` of the peer. */
  readonly sourceAddress: string
  header(name: string): string | undefined
}

interface LimitConfig { requests: number; per?: 'second' | 'minute' | 'hour' | 'day'; periodSeconds?: number; burst?: number }
interface RuleConfig { name?: string; match?: { path?: string; prefix?: string; methods?: string[] }; key?: string[]; onMissingKey?: 'share' | 'skip'; limits: LimitConfig[] }
export interface RateLimitConfig { domain?: string; mode?: 'enforce' | 'dry_run'; responseHeaders?: boolean; statusCode?: number; rules: RuleConfig[] }

interface Limit { readonly burst: number; readonly intervalNs: number; readonly toleranceNs: number }
interface Rule {
  readonly name: string
  readonly path: string | undefined
  readonly prefix: string | undefined
  readonly methods: ReadonlySet<string> | undefined
  readonly key: readonly string[]
  readonly skipMissing: boolean
  readonly limits: readonly Limit[]
  readonly policy: string
  allowed: number
  limited: number
}

export interface Verdict {
  /** Set when the request is refused. */
  readonly reply: { status: number; headers: Array<[string, string]>; body: string } | undefined
  /** ratelimit-* headers for the admitted response, if any. */
  readonly headers: Array<[string, string]> | undefined
}

const PERIODS = { second: 1, minute: 60, hour: 3600, day: 86400 } as const
const ADMITTED: Verdict = { reply: undefined, headers: undefined }

export function createRateLimit(config: RateLimitConfig, pluginName: string) {
  const domain = config.domain ?? pluginName
  const enforce = config.mode !== 'dry_run'
  const withHeaders = (config.responseHeaders ?? true) && enforce
  const statusCode = config.statusCode ?? 429
  const buckets = new Map<string, number[]>()
  const rules: Rule[] = config.rules.map((r, i) => {
    const limits = r.limits.map((l) => {
      const periodNs = (l.periodSeconds ?? PERIODS[l.per ?? 'second']) * 1e9
      const intervalNs = Math.floor(periodNs / l.requests)
      const burst = l.burst ?? l.requests
      return { burst, intervalNs, toleranceNs: intervalNs * burst }
    })
    return {
      name: r.name ?? `rule${i}`,
      path: r.match?.path,
      prefix: r.match?.prefix,
      methods: r.match?.methods && new Set(r.match.methods.map((m) => m.toUpperCase())),
      key: r.key ?? ['client_address'],
      skipMissing: r.onMissingKey === 'skip',
      limits,
      policy: r.limits.map((l, j) => `${l.requests};w=${l.periodSeconds ?? PERIODS[l.per ?? 'second']}${limits[j]!.burst !== l.requests ? `;burst=${limits[j]!.burst}` : ''}`).join(', '),
      allowed: 0,
      limited: 0,
    }
  })

  function keyOf(rule: Rule, req: RateLimitRequest, path: string): string | undefined {
    let key = `${domain}:${rule.name}`
    for (const part of rule.key) {
      let v: string | undefined
      if (part === 'client_address') v = req.sourceAddress.slice(0, Math.max(0, req.sourceAddress.lastIndexOf(':')))
      else if (part === 'path') v = path
      else if (part === 'method') v = req.method
      else if (part === 'host') v = req.authority
      else v = req.header(part.slice(7))
      if (v === undefined && rule.skipMissing) return undefined
      key += `\xff${v ?? ''}`
    }
    return key
  }

  return {
    onRequest(req: RateLimitRequest): Verdict {
      const q = req.path.indexOf('?')
      const path = q < 0 ? req.path : req.path.slice(0, q)
      // Whole nanoseconds, as the Wasm filter counts: a fractional now made remaining one short at
      // one token per ns (floating-point subtraction). Relative to process start: exact in a double.
      const nowNs = Math.floor(performance.now() * 1e6)
      const charged: Array<[Rule, string]> = []
      let best: { limit: Limit; rule: Rule; remaining: number; resetNs: number } | undefined
      for (const rule of rules) {
        if (rule.methods && !rule.methods.has(req.method)) continue
        if (rule.path !== undefined && path !== rule.path) continue
        if (rule.prefix !== undefined && !path.startsWith(rule.prefix)) continue
        const key = keyOf(rule, req, path)
        if (key === undefined) continue
        const state = buckets.get(key) ?? rule.limits.map(() => 0)
        const next = rule.limits.map((l, i) => Math.max(state[i]!, nowNs) + l.intervalNs)
        let refused = -1
        let waitNs = 0
        rule.limits.forEach((l, i) => {
          const w = next[i]! - l.toleranceNs - nowNs
          if (w > 0 && (refused < 0 || w > waitNs)) [refused, waitNs] = [i, w]
        })
        if (refused >= 0) {
          rule.limited++
          if (!enforce) break
          for (const [r, k] of charged) buckets.set(k, buckets.get(k)!.map((t, i) => Math.max(0, t - r.limits[i]!.intervalNs)))
          const l = rule.limits[refused]!
          const retry = Math.max(1, Math.ceil(waitNs / 1e9))
          return {
            reply: {
              status: statusCode,
              headers: [['content-type', 'application/json'], ['retry-after', String(retry)], ['ratelimit-limit', String(l.burst)], ['ratelimit-remaining', '0'],
                ['ratelimit-reset', String(Math.ceil((Math.max(state[refused]!, nowNs) - nowNs) / 1e9))], ['ratelimit-policy', rule.policy]],
              body: JSON.stringify({ code: 'rate_limited', rule: rule.name, retryAfterSeconds: retry }),
            },
            headers: undefined,
          }
        }
        buckets.set(key, next)
        charged.push([rule, key])
        rule.limits.forEach((l, i) => {
          const remaining = Math.floor((nowNs + l.toleranceNs - next[i]!) / l.intervalNs)
          if (best === undefined || remaining < best.remaining) best = { limit: l, rule, remaining, resetNs: next[i]! - nowNs }
        })
      }
      for (const [r] of charged) r.allowed++
      if (!withHeaders || best === undefined) return ADMITTED
      const b = best as { limit: Limit; rule: Rule; remaining: number; resetNs: number }
      return {
        reply: undefined,
        headers: [['ratelimit-limit', String(b.limit.burst)], ['ratelimit-remaining', String(b.remaining)], ['ratelimit-reset', String(Math.ceil(b.resetNs / 1e9))], ['ratelimit-policy', b.rule.policy]],
      }
    },

    /** Adds the admitted request's ratelimit-* headers to its response. */
    onResponse(verdict: Verdict, setHeader: (name: string, value: string) => void): void {
      if (verdict.headers !== undefined) for (const [k, v] of verdict.headers) setHeader(k, v)
    },

    counters(): Record<string, number> {
      const out: Record<string, number> = {}
      for (const r of rules) {
        out[`ratelimit.${domain}.${r.name}.allowed`] = r.allowed
        out[`ratelimit.${domain}.${r.name}.limited`] = r.limited
      }
      return out
    },
  }
}
