// The SDK's garbage collection (sdk/assembly/runtime/collect.ts) through wasmgate/testing. The
// sdk-memory fixture makes about 12 KB of garbage on every request and keeps objects in its root
// context and in paused requests. It is built with the default runtime (minimal: the SDK collects
// at the end of the outermost callback, every 256 callbacks or when memory grew) and with
// incremental (a project may still choose it); both must behave the same.
import { describe, expect, it } from 'vitest'
import type { TestResponse } from '../../../host/testing.ts'
import { filterDir, useFilter } from '../../helpers/filter-harness.ts'

const REQUESTS = 20_000
const STEADY_AFTER = 5_000

/** The length of the string the fixture's churn() returns for `path`. */
function churnLength(path: string): number {
  const parts = Array.from({ length: 48 }, (_, i) => `item-${i}-${path}`)
  return `${parts[47]}#${parts.reduce((n, p) => n + p.length, 0)}#48`.length
}

/** Why `res` is not what the fixture answers for `path` (its x-kept), or undefined when it is. */
function keptMismatch(res: TestResponse, path: string): string | undefined {
  const kept = res.headers['x-kept'] ?? ''
  const ok = res.status === 200 && new RegExp(`^kept:${path}:\\d+:${churnLength(path)}$`).test(kept)
  return ok ? undefined : `${path}: status ${res.status}, x-kept ${JSON.stringify(kept)}`
}

const pages = (res: TestResponse): number => Number(res.headers['x-memory-pages'])

describe.each([
  { runtime: 'minimal', ascRuntime: '1', fixture: 'sdk-memory' },
  { runtime: 'incremental', ascRuntime: '2', fixture: 'sdk-memory-incremental' },
])('SDK memory, runtime $runtime', ({ ascRuntime, fixture }) => {
  const mem = useFilter(filterDir(fixture, 'fixture'), { clusters: { slow: true } })

  it('is built with that runtime', async () => {
    const f = await mem.load()
    const res = await f.request({ path: '/runtime' })
    expect(res.headers['x-runtime']).toBe(ascRuntime)
  })

  it(`stops growing linear memory: the same pages after ${STEADY_AFTER} requests as after ${REQUESTS}`, async () => {
    const f = await mem.load()
    const wrong: string[] = []
    let steady = 0
    let last = 0
    for (let i = 1; i <= REQUESTS; i++) {
      const path = `/r/${i}`
      const res = await f.request({ path })
      const why = keptMismatch(res, path)
      if (why !== undefined) wrong.push(why)
      last = pages(res)
      if (i === STEADY_AFTER) steady = last
    }
    expect(wrong.slice(0, 5)).toEqual([])
    expect(steady).toBeGreaterThan(0)
    expect(last).toBe(steady)
    // 20,000 requests make about 240 MB of garbage. What stays is about what 256 callbacks make
    // (~43 requests, ~500 KB) rounded up as the allocator doubles memory: 16 pages here.
    expect(last).toBeLessThanOrEqual(32)
  }, 120_000)

  it('keeps what the root context holds across collections', async () => {
    const f = await mem.load()
    const value = (k: number, round: number): string => `value-${k}-${round}-${'v'.repeat(k)}`
    for (let k = 0; k < 50; k++) await f.request({ headers: { 'x-put': `key${k}=${value(k, 0)}` } })
    const wrong: string[] = []
    // 2,000 requests are about 12,000 callbacks: dozens of collections. Halfway, every key gets a
    // new value, so the old strings become garbage while the new ones must stay.
    for (let i = 0; i < 2_000; i++) {
      const k = i % 50
      const round = i < 1_000 ? 0 : 1
      const headers: Record<string, string> = { 'x-get': `key${k}` }
      if (i === 1_000 + k) headers['x-put'] = `key${k}=${value(k, 1)}`
      const res = await f.request({ path: `/g/${i}`, headers })
      if (res.headers['x-value'] !== value(k, round)) wrong.push(`request ${i}: key${k} = ${JSON.stringify(res.headers['x-value'])}`)
    }
    expect(wrong.slice(0, 5)).toEqual([])
    expect((await f.request({ headers: { 'x-get': 'key-never-set' } })).headers['x-value']).toBe('<none>')
  }, 60_000)

  it('keeps a paused request and its pending http call across collections', async () => {
    const f = await mem.load()
    const paused = f.request({ path: '/paused', headers: { 'x-callout': '1' } })
    const call = await f.nextHttpCall()
    expect(call.cluster).toBe('slow')
    const wrong: string[] = []
    for (let i = 0; i < 500; i++) {
      const path = `/other/${i}`
      const why = keptMismatch(await f.request({ path }), path)
      if (why !== undefined) wrong.push(why)
    }
    expect(wrong.slice(0, 5)).toEqual([])
    call.respond({ status: 200, body: 'answer' })
    const res = await paused
    expect(keptMismatch(res, '/paused')).toBeUndefined()
    expect(res.upstreamRequest?.headers['x-callout']).toBe(`answer/${res.headers['x-kept']}`)
  }, 60_000)
})

describe('a production filter across collections', () => {
  const rewrite = useFilter(filterDir('header-rewrite'))

  it('header-rewrite applies its compiled rules to 3,000 requests in a row', async () => {
    const f = await rewrite.load({
      config: {
        rules: [
          { match: { regex: '^/users/([0-9]+)$' }, request: { set: { 'x-user-id': '${1}', 'x-where': '${method} ${path}' } } },
          { match: { prefix: '/static/' }, response: { set: { 'cache-control': 'max-age=${req:x-age|60}' } } },
        ],
      },
    })
    const wrong: string[] = []
    for (let i = 0; i < 3_000; i++) {
      const users = await f.request({ path: `/users/${i}` })
      const up = users.upstreamRequest?.headers
      if (up?.['x-user-id'] !== String(i) || up['x-where'] !== `GET /users/${i}`) wrong.push(`/users/${i}: ${JSON.stringify(up)}`)
      const age = String(i % 7 === 0 ? 60 : i)
      const files = await f.request({ path: `/static/${i}.css`, headers: i % 7 === 0 ? {} : { 'x-age': age } })
      if (files.headers['cache-control'] !== `max-age=${age}`) wrong.push(`/static/${i}.css: ${files.headers['cache-control']}`)
    }
    expect(wrong.slice(0, 5)).toEqual([])
  }, 60_000)
})
