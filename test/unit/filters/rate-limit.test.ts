// The rate-limit filter through wasmgate/testing: the real .wasm (compiled by the real asc) in the
// real host runtime, in-process. Limits are per hour or per day where a test counts admissions,
// so no token comes back while it runs; refill is checked by polling with a deadline.
import { describe, expect, it } from 'vitest'
import type { LoadFilterOptions, TestFilter, TestRequest, TestResponse } from '../../../host/testing.ts'
import { filterDir, useFilter, type FilterRefusal } from '../../helpers/filter-harness.ts'
import { BAD_CONFIGS } from './rate-limit-configs.ts'

const rl = useFilter(filterDir('rate-limit'), { name: 'rl' })
const load = (config: unknown, options: LoadFilterOptions = {}): Promise<TestFilter> => rl.load({ config, ...options })
const refusal = (config: unknown): Promise<FilterRefusal> => rl.refusal({ config })

async function statuses(f: TestFilter, n: number, req: TestRequest = {}): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) out.push((await f.request(req)).status)
  return out
}

const perHour = (requests: number, extra: Record<string, unknown> = {}) => ({ requests, per: 'hour', ...extra })

describe('rate-limit: token buckets', () => {
  it('admits the burst, then answers 429 with retry-after, ratelimit-* headers and a JSON body', async () => {
    const f = await load({ rules: [{ name: 'api', limits: [perHour(3)] }] })
    const ok = [] as TestResponse[]
    for (let i = 0; i < 3; i++) ok.push(await f.request({ path: '/x' }))
    expect(ok.map((r) => r.status)).toEqual([200, 200, 200])
    expect(ok.map((r) => r.headers['ratelimit-remaining'])).toEqual(['2', '1', '0'])
    expect(ok[0]!.headers).toMatchObject({ 'ratelimit-limit': '3', 'ratelimit-policy': '3;w=3600' })
    // A fresh bucket is full again after one interval per token spent: 20 minutes each.
    expect(ok.map((r) => r.headers['ratelimit-reset'])).toEqual(['1200', '2400', '3600'])

    const limited = await f.request({ path: '/x' })
    expect(limited.status).toBe(429)
    expect(limited.upstreamRequest).toBeUndefined()
    expect(limited.localReply?.details).toBe('rate_limited')
    expect(limited.headers).toMatchObject({
      'content-type': 'application/json',
      'retry-after': '1200',
      'ratelimit-limit': '3',
      'ratelimit-remaining': '0',
      'ratelimit-reset': '3600',
      'ratelimit-policy': '3;w=3600',
    })
    expect(JSON.parse(limited.body)).toEqual({ code: 'rate_limited', rule: 'api', retryAfterSeconds: 1200 })
  })

  it('refills: a 1-per-second bucket admits again once its token is back', async () => {
    const f = await load({ rules: [{ name: 'fast', limits: [{ requests: 1, per: 'second' }] }] })
    expect((await f.request()).status).toBe(200)
    const refused = await f.request()
    expect(refused.status).toBe(429)
    expect(refused.headers['retry-after']).toBe('1')
    // Refused requests cost nothing, so polling does not delay the refill.
    await f.waitFor(async () => (await f.request()).status === 200, 'the token to come back', 5000)
  })

  it('checks every limit of a rule and charges none when one refuses', async () => {
    const f = await load({ rules: [{ name: 'two', limits: [perHour(2), { requests: 5, per: 'day' }] }] })
    const a = await f.request()
    expect(a.headers['ratelimit-policy']).toBe('2;w=3600, 5;w=86400')
    expect(a.headers['ratelimit-remaining']).toBe('1')
    await f.request()
    expect((await f.request()).status).toBe(429)
    expect((await f.request()).status).toBe(429)
    expect(await f.metric('ratelimit.rl.two.allowed')).toBe(2)
    expect(await f.metric('ratelimit.rl.two.limited')).toBe(2)
  })

  it('honours burst above the sustained rate and says so in ratelimit-policy', async () => {
    const f = await load({ rules: [{ name: 'b', limits: [perHour(2, { burst: 4 })] }] })
    const res = await f.request()
    expect(res.headers).toMatchObject({ 'ratelimit-limit': '4', 'ratelimit-remaining': '3', 'ratelimit-policy': '2;w=3600;burst=4' })
    expect(await statuses(f, 4)).toEqual([200, 200, 200, 429])
  })

  it('uses the configured status code and can leave admitted responses without headers', async () => {
    const f = await load({ statusCode: 503, responseHeaders: false, rules: [{ name: 'a', limits: [perHour(1)] }] })
    const ok = await f.request()
    expect(ok.headers['ratelimit-remaining']).toBeUndefined()
    const no = await f.request()
    expect(no.status).toBe(503)
    expect(no.headers['retry-after']).toBe('3600')
  })
})

describe('rate-limit: keys and matching', () => {
  it('keeps one bucket per header value; requests without the header share one by default', async () => {
    const f = await load({ rules: [{ name: 'user', key: ['header:X-User'], limits: [perHour(1)] }] })
    expect(await statuses(f, 2, { headers: { 'x-user': 'alice' } })).toEqual([200, 429])
    expect(await statuses(f, 2, { headers: { 'x-user': 'bob' } })).toEqual([200, 429])
    expect(await statuses(f, 2)).toEqual([200, 429])
  })

  it('skips the rule for requests missing a key part when onMissingKey is skip', async () => {
    const f = await load({ rules: [{ name: 'user', key: ['header:x-user'], onMissingKey: 'skip', limits: [perHour(1)] }] })
    expect(await statuses(f, 3)).toEqual([200, 200, 200])
    expect(await statuses(f, 2, { headers: { 'x-user': 'carol' } })).toEqual([200, 429])
  })

  it('combines key parts: path (without the query) and method', async () => {
    const f = await load({ rules: [{ name: 'pm', key: ['client_address', 'path', 'method'], limits: [perHour(1)] }] })
    expect((await f.request({ path: '/a?x=1' })).status).toBe(200)
    expect((await f.request({ path: '/a?x=2' })).status).toBe(429)
    expect((await f.request({ path: '/b' })).status).toBe(200)
    expect((await f.request({ path: '/a', method: 'POST', body: 'x' })).status).toBe(200)
  })

  it('keeps parts apart: ("ab","c") and ("a","bc") are different keys', async () => {
    const f = await load({ rules: [{ name: 'sep', key: ['header:x-a', 'header:x-b'], limits: [perHour(1)] }] })
    expect((await f.request({ headers: { 'x-a': 'ab', 'x-b': 'c' } })).status).toBe(200)
    expect((await f.request({ headers: { 'x-a': 'a', 'x-b': 'bc' } })).status).toBe(200)
    expect((await f.request({ headers: { 'x-a': 'ab', 'x-b': 'c' } })).status).toBe(429)
  })

  it('applies a rule only to its prefix, exact path and methods', async () => {
    const f = await load({
      rules: [
        { name: 'api', match: { prefix: '/api/', methods: ['post'] }, limits: [perHour(1)] },
        { name: 'login', match: { path: '/login' }, limits: [perHour(1)] },
      ],
    })
    expect(await statuses(f, 3, { path: '/api/x' })).toEqual([200, 200, 200])
    expect(await statuses(f, 2, { path: '/api/x', method: 'POST', body: 'b' })).toEqual([200, 429])
    expect(await statuses(f, 2, { path: '/login?next=/' })).toEqual([200, 429])
    expect(await statuses(f, 2, { path: '/login/other' })).toEqual([200, 200])
  })

  it('applies every matching rule; a request a later rule refuses is refunded to earlier ones', async () => {
    const f = await load({
      rules: [
        { name: 'global', key: ['host'], limits: [perHour(3)] },
        { name: 'user', key: ['header:x-user'], limits: [perHour(1)] },
      ],
    })
    expect((await f.request({ headers: { 'x-user': 'a' } })).headers['ratelimit-remaining']).toBe('0')
    const refused = await f.request({ headers: { 'x-user': 'a' } })
    expect(refused.status).toBe(429)
    expect(JSON.parse(refused.body).rule).toBe('user')
    // Without the refund, global would have 1 token left here instead of 2, and c would be refused.
    const b = await f.request({ headers: { 'x-user': 'b' } })
    expect(b.status).toBe(200)
    expect(await f.metric('ratelimit.rl.global.allowed')).toBe(2)
    expect((await f.request({ headers: { 'x-user': 'c' } })).status).toBe(200)
    expect((await f.request({ headers: { 'x-user': 'd' } })).status).toBe(429)
    expect(await f.metric('ratelimit.rl.global.limited')).toBe(1)
  })

  it('shares buckets between filters with the same domain, and not otherwise', async () => {
    const config = { domain: 'shared', rules: [{ name: 'r', limits: [perHour(1)] }] }
    const f = await load(config)
    expect((await f.request()).status).toBe(200)
    expect((await f.request()).status).toBe(429)
    const g = await load({ ...config, domain: 'other' })
    expect((await g.request()).status).toBe(200)
  })
})

// The shared-data layout, as another VM of the plugin sees it: key
// `<domain>:<rule>:<fnv64 of the rule's shape>:<fnv64 of the key parts>`, value one u64 LE
// "theoretical arrival time" (ns) per limit.
const FNV_OFFSET = 0xcbf29ce484222325n
const fnv = (bytes: Uint8Array, h = FNV_OFFSET): bigint => bytes.reduce((acc, b) => BigInt.asUintN(64, (acc ^ BigInt(b)) * 0x100000001b3n), h)
const hex = (h: bigint) => h.toString(16).padStart(16, '0')
function bucketKey(domain: string, rule: string, limits: Array<[number, number, number]>, headerName: string, value: string): string {
  const shape = limits.map(([r, p, b]) => `${r}/${p}/${b};`).join('') + `1${headerName};` // 1: a header key part
  const keyHash = fnv(Uint8Array.of(0xff), fnv(Buffer.from(value)))
  return `${domain}:${rule}:${hex(fnv(Buffer.from(shape)))}:${hex(keyHash)}`
}
const nowNs = () => BigInt(Date.now()) * 1_000_000n
const tat = (ns: bigint) => {
  const b = Buffer.alloc(8)
  b.writeBigUInt64LE(ns)
  return b
}

describe('rate-limit: buckets in shared data', () => {
  const config = { rules: [{ name: 'u', key: ['header:x-user'], limits: [perHour(2)] }] }
  const key = (user: string) => bucketKey('rl', 'u', [[2, 3600, 2]], 'x-user', user)

  it('stores each bucket under its documented key and honours what another VM wrote there', async () => {
    const f = await load(config)
    expect((await f.request({ headers: { 'x-user': 'amy' } })).status).toBe(200)
    const stored = f.sharedData(key('amy'))
    expect(stored).toBeDefined()
    // Another VM took amy's last token: this VM sees it at once.
    f.setSharedData(key('amy'), tat(nowNs() + 3_600_000_000_000n))
    const res = await f.request({ headers: { 'x-user': 'amy' } })
    expect(res.status).toBe(429)
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(1700)
  })

  it('treats a bucket far ahead of the clock (the wall clock stepped back) as empty, not blocked for the step', async () => {
    const f = await load(config)
    f.setSharedData(key('bo'), tat(nowNs() + 10n * 3_600_000_000_000n))
    const res = await f.request({ headers: { 'x-user': 'bo' } })
    expect(res.status).toBe(429)
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(1800)
  })
})

describe('rate-limit: dry run and metrics', () => {
  it('in dry_run counts and logs what it would refuse, and admits everything', async () => {
    const f = await load({ mode: 'dry_run', rules: [{ name: 'd', limits: [perHour(1)] }] })
    const res = await statuses(f, 3)
    expect(res).toEqual([200, 200, 200])
    // The counters say what enforcing would have done.
    expect(await f.metric('ratelimit.rl.d.allowed')).toBe(1)
    expect(await f.metric('ratelimit.rl.d.limited')).toBe(2)
    expect(f.filterLogs('debug').some((l) => l.includes('rule d limited a request') && l.includes('dry run'))).toBe(true)
    expect((await f.request()).headers['ratelimit-remaining']).toBeUndefined()
  })

  it('exports counters per rule in Prometheus text', async () => {
    const f = await load({ domain: 'edge', rules: [{ name: 'api', limits: [perHour(1)] }] })
    await statuses(f, 3)
    const text = await f.metricsText()
    expect(text).toMatch(/wasmcustom_ratelimit_edge_api_allowed 1\b/)
    expect(text).toMatch(/wasmcustom_ratelimit_edge_api_limited 2\b/)
  })
})

describe('rate-limit: configuration errors', () => {
  const cases = BAD_CONFIGS
  it.each(cases)('refuses %s and names the field', async (_what, config, line) => {
    const err = await refusal(config)
    expect(err.code).toBe('WG_ERR_FILTER_CONFIGURE_FAILED')
    expect(err.filterLogs).toContain(line)
  })

  it('reports one problem per field (a wrong type is not also out of range)', async () => {
    const err = await refusal({ rules: [{ limits: [{ requests: 'ten', per: 'hour' }], match: { methods: [7] } }] })
    expect(err.filterLogs).toEqual([
      'invalid configuration: rules[0].match.methods[0]: expected a string (got 7)',
      'invalid configuration: rules[0].limits[0].requests: expected an integer (got "ten")',
    ])
  })

  it('reports every wrong field at once', async () => {
    const err = await refusal({ mode: 1, rules: [{ limits: [{ requests: -1, per: 'hour' }] }, { limits: 'x' }] })
    expect(err.filterLogs).toEqual(expect.arrayContaining([
      'invalid configuration: mode: expected a string (got 1)',
      'invalid configuration: rules[0].limits[0].requests: must be between 1 and 1000000000 (got -1)',
      'invalid configuration: rules[1].limits: expected an array (got "x")',
    ]))
  })
})
