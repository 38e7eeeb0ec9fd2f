// The rate-limit filter in the real proxy: concurrent clients over real sockets, exact admission
// counts, the 429 answer as a client sees it, counters at /stats/prometheus, and a bad config
// refused at startup with the filter's own line naming the field.
import { Pool, request } from 'undici'
import { describe, expect, it, onTestFinished } from 'vitest'
import { filterGateway, refusedGateway } from '../helpers/filter-gateway.ts'
import { filterDir, useFilterBuild } from '../helpers/filter-harness.ts'
import type { TestGateway } from '../helpers/gateway.ts'
import { startUpstream, type Upstream } from '../helpers/upstream.ts'

const rl = useFilterBuild(filterDir('rate-limit'))

async function gateway(config: unknown, upstream: Upstream, extraFilters: unknown[] = [], routes?: unknown[]): Promise<TestGateway> {
  return filterGateway({ name: 'rl', source: rl.wasm, config, upstream: upstream.url, extraFilters, ...(routes === undefined ? {} : { routes }) })
}

/** `total` requests from `connections` concurrent keep-alive connections; returns the statuses. */
async function load(url: string, total: number, connections: number, headers: (i: number) => Record<string, string> = () => ({})): Promise<number[]> {
  const pool = new Pool(url, { connections, pipelining: 1 })
  onTestFinished(() => pool.close())
  return Promise.all(
    Array.from({ length: total }, async (_, i) => {
      const res = await pool.request({ path: `/r/${i}`, method: 'GET', headers: headers(i) })
      await res.body.dump()
      return res.statusCode
    }),
  )
}

async function metric(gw: TestGateway, name: string): Promise<number | undefined> {
  const res = await request(`${gw.adminUrl}/stats/prometheus`)
  const text = await res.body.text()
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text)
  return m === null ? undefined : Number(m[1])
}

const count = (list: number[], status: number) => list.filter((s) => s === status).length

describe('rate-limit in the proxy', () => {
  it('admits exactly the limit under concurrent load, and the upstream sees only those', async () => {
    const up = await startUpstream()
    const gw = await gateway({ domain: 'load', rules: [{ name: 'all', limits: [{ requests: 50, per: 'hour' }, { requests: 80, per: 'day' }] }] }, up)
    const statuses = await load(gw.url, 400, 32)
    expect(count(statuses, 200)).toBe(50)
    expect(count(statuses, 429)).toBe(350)
    expect(up.requests).toBe(50)
    expect(await metric(gw, 'wasmcustom_ratelimit_load_all_allowed')).toBe(50)
    expect(await metric(gw, 'wasmcustom_ratelimit_load_all_limited')).toBe(350)
  })

  it('keeps one exact budget per key when many keys arrive interleaved', async () => {
    const up = await startUpstream()
    const gw = await gateway({ rules: [{ name: 'user', key: ['header:x-user'], limits: [{ requests: 7, per: 'hour' }] }] }, up)
    const users = ['ann', 'ben', 'cyd', 'dee', 'eve']
    const statuses = await load(gw.url, 300, 24, (i) => ({ 'x-user': users[i % users.length]! }))
    const admittedBy = new Map<string, number>()
    statuses.forEach((s, i) => {
      if (s === 200) admittedBy.set(users[i % users.length]!, (admittedBy.get(users[i % users.length]!) ?? 0) + 1)
    })
    expect(Object.fromEntries(admittedBy)).toEqual({ ann: 7, ben: 7, cyd: 7, dee: 7, eve: 7 })
    expect(count(statuses, 429)).toBe(300 - 35)
  })

  it('answers 429 with retry-after, ratelimit-* headers and a JSON body; admitted responses carry the headers', async () => {
    const up = await startUpstream()
    const gw = await gateway({ rules: [{ name: 'api', match: { prefix: '/api/' }, limits: [{ requests: 2, per: 'minute' }] }] }, up)
    const first = await request(`${gw.url}/api/a`)
    await first.body.dump()
    expect(first.statusCode).toBe(200)
    expect(first.headers).toMatchObject({ 'ratelimit-limit': '2', 'ratelimit-remaining': '1', 'ratelimit-policy': '2;w=60' })
    await (await request(`${gw.url}/api/b`)).body.dump()
    const refused = await request(`${gw.url}/api/c`)
    expect(refused.statusCode).toBe(429)
    expect(refused.headers['content-type']).toBe('application/json')
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(refused.headers['ratelimit-remaining']).toBe('0')
    expect(await refused.body.json()).toMatchObject({ code: 'rate_limited', rule: 'api' })
    // Outside the prefix the rule does not apply.
    const other = await request(`${gw.url}/public`)
    await other.body.dump()
    expect(other.statusCode).toBe(200)
    expect(other.headers['ratelimit-limit']).toBeUndefined()
  })

  it('shares buckets between two filters of one domain on different routes', async () => {
    const up = await startUpstream()
    const rule = { rules: [{ name: 'shared', limits: [{ requests: 3, per: 'hour' }] }], domain: 'tenant' }
    const gw = await gateway(rule, up, [{ name: 'rl2', source: rl.wasm, config: rule }], [
      { match: { prefix: '/a' }, cluster: 'backend', filters: ['rl'] },
      { match: { prefix: '/b' }, cluster: 'backend', filters: ['rl2'] },
    ])
    const got: number[] = []
    for (const path of ['/a', '/b', '/a', '/b']) {
      const res = await request(`${gw.url}${path}`)
      await res.body.dump()
      got.push(res.statusCode)
    }
    expect(got).toEqual([200, 200, 200, 429])
  })

  it('keeps its buckets across a hot reload with the same rules, starts fresh when a rule changes, and refuses a bad config', async () => {
    const up = await startUpstream()
    const rules = (requests: number) => ({ rules: [{ name: 'r', limits: [{ requests, per: 'hour' }] }] })
    const gw = await gateway(rules(2), up)
    const hit = async () => {
      const res = await request(`${gw.url}/x`)
      await res.body.dump()
      return res.statusCode
    }
    const put = async (config: unknown) => {
      const res = await request(`${gw.adminUrl}/filters/rl`, { method: 'PUT', body: JSON.stringify({ source: rl.wasm, config }), headers: { 'content-type': 'application/json' } })
      return { status: res.statusCode, body: (await res.body.json()) as { code?: string } }
    }
    expect([await hit(), await hit(), await hit()]).toEqual([200, 200, 429])
    expect((await put({ ...rules(2), responseHeaders: false })).status).toBe(200)
    expect(await hit()).toBe(429)
    const refused = await put({ rules: [{ name: 'r', limits: [{ requests: 0, per: 'hour' }] }] })
    expect(refused.status).toBe(422)
    expect(refused.body.code).toBe('WG_ERR_FILTER_CONFIGURE_FAILED')
    expect(await hit()).toBe(429)
    expect((await put(rules(3))).status).toBe(200)
    expect([await hit(), await hit(), await hit(), await hit()]).toEqual([200, 200, 200, 429])
  })

  it('refuses to start with a bad config, and the filter log names the field', async () => {
    const up = await startUpstream()
    const refusal = await refusedGateway({ name: 'rl', source: rl.wasm, config: { rules: [{ limits: [{ requests: 5, per: 'fortnight' }] }] }, upstream: up.url }, { logLevel: 'info' })
    expect(refusal.code).toBe('WG_ERR_FILTER_CONFIGURE_FAILED')
    expect(refusal.guestLines).toContain('invalid configuration: rules[0].limits[0].per: expected one of second, minute, hour, day (got "fortnight")')
  })
})
