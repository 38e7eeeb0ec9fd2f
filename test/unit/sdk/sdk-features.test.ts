// The SDK, feature by feature, through wasmgate/testing: the sdk-features fixture is compiled
// with the real asc and run in the real host runtime (no network).
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { compileFilterDir } from '../../../scripts/build-wasm.mjs'
import { loadFilter, type LoadFilterOptions, type TestFilter } from '../../../host/testing.ts'

const dir = new URL('../../fixtures/filters/sdk-features', import.meta.url).pathname
let wasm = ''
let filter: TestFilter | undefined

beforeAll(async () => {
  wasm = (await compileFilterDir(dir)).outFile
}, 120_000)

afterEach(async () => {
  await filter?.close()
  filter = undefined
})

async function load(options: LoadFilterOptions = {}): Promise<TestFilter> {
  filter = await loadFilter(wasm, { config: { tag: 't1', cluster: 'auth' }, ...options })
  return filter
}

describe('SDK configuration', () => {
  it('reads JSON config and logs through proxy_log', async () => {
    const f = await load()
    expect(f.filterLogs('info')).toContain('configured tag=t1')
  })

  it('refuses a bad config and names every wrong field', async () => {
    const err = await loadFilter(wasm, { config: { tag: 42, tickMs: -1 } }).then(() => undefined, (e: unknown) => e as { code: string; filterLogs: string[] })
    expect(err?.code).toBe('WG_ERR_FILTER_CONFIGURE_FAILED')
    expect(err?.filterLogs).toEqual(expect.arrayContaining([
      'invalid configuration: tag: expected a string (got 42)',
      'invalid configuration: tickMs: must be >= 0 (got -1)',
    ]))
  })

  it('reports a missing field and invalid JSON', async () => {
    const missing = await loadFilter(wasm, { config: {} }).then(() => undefined, (e: unknown) => e as { filterLogs: string[] })
    expect(missing?.filterLogs).toContain('invalid configuration: tag: is required: expected a string')
    const broken = await loadFilter(wasm, { config: '{"tag": "x",' }).then(() => undefined, (e: unknown) => e as { filterLogs: string[] })
    expect(broken?.filterLogs.some((l) => l.startsWith('invalid configuration: config: invalid JSON at offset'))).toBe(true)
  })

  it('refuses the VM when onVmStart returns false', async () => {
    await expect(loadFilter(wasm, { config: { tag: 't' }, vmConfig: 'refuse' })).rejects.toMatchObject({ code: 'WG_ERR_FILTER_START_FAILED' })
  })
})

describe('SDK http stream', () => {
  it('reads, sets, adds and removes request and response headers; reads properties', async () => {
    const f = await load()
    const res = await f.request({ path: '/p?q=1', headers: { 'x-sdk-remove-me': 'x', 'x-in': 'a' } })
    expect(res.status).toBe(200)
    expect(res.upstreamRequest?.headers).toMatchObject({ 'x-sdk-tag': 't1', 'x-sdk-multi': 'one, two', 'x-in': 'a' })
    expect(res.upstreamRequest?.headers['x-sdk-remove-me']).toBeUndefined()
    expect(res.headers).toMatchObject({ 'x-sdk-response': 't1', 'x-sdk-path': '/p?q=1', 'x-sdk-upstream-status': '200' })
  })

  it('answers locally with status, body, headers and details', async () => {
    const f = await load()
    const res = await f.request({ headers: { 'x-sdk-action': 'local-reply' } })
    expect(res.status).toBe(403)
    expect(res.body).toBe('denied by sdk')
    expect(res.headers['x-sdk']).toBe('local')
    expect(res.localReply).toEqual({ status: 403, details: 'sdk_denied' })
    expect(res.upstreamRequest).toBeUndefined()
  })

  it('buffers and rewrites the request body', async () => {
    const f = await load()
    const res = await f.request({ method: 'POST', body: 'hello sdk', headers: { 'x-sdk-action': 'body-upper' } })
    expect(res.upstreamRequest?.body).toBe('HELLO SDK')
    expect(await f.histogram('sdk_request_body_bytes')).toEqual({ count: 1, sum: 9 })
  })

  it('appends to the response body', async () => {
    const f = await load({ upstream: () => ({ status: 201, body: 'abc' }) })
    const res = await f.request({ headers: { 'x-sdk-action': 'response-body' } })
    expect(res.status).toBe(201)
    expect(res.body).toBe('abc|sdk')
  })
})

describe('SDK http calls', () => {
  it('pauses the request, calls a cluster, and resumes with the answer', async () => {
    const f = await load({ clusters: { auth: () => ({ status: 200, headers: { 'x-answer': 'yes' }, body: 'granted' }) } })
    const res = await f.request({ headers: { 'x-sdk-action': 'callout' } })
    expect(res.upstreamRequest?.headers).toMatchObject({ 'x-sdk-callout': 'granted', 'x-sdk-callout-header': 'yes' })
    expect(f.httpCalls).toHaveLength(1)
    expect(f.httpCalls[0]).toMatchObject({ cluster: 'auth', method: 'GET', path: '/callout', authority: 'sdk.test' })
    expect(f.httpCalls[0]?.headers['x-from']).toBe('t1')
  })

  it('lets the test answer a pending call, including failures', async () => {
    const f = await load({ clusters: { auth: true } })
    const pending = f.request({ headers: { 'x-sdk-action': 'callout' } })
    const call = await f.nextHttpCall()
    call.fail('timeout')
    const res = await pending
    expect(res.status).toBe(502)
    expect(res.headers['x-sdk']).toBe('callout')
    expect(res.upstreamRequest).toBeUndefined()
  })

  it('returns 0 for an unknown cluster instead of aborting, and logs why', async () => {
    const f = await load({ config: { tag: 't1', cluster: 'nope' } })
    const res = await f.request({ headers: { 'x-sdk-action': 'callout' } })
    expect(res.status).toBe(500)
    expect(f.filterLogs('warn').some((m) => m.includes("cluster 'nope' refused"))).toBe(true)
  })
})

describe('SDK shared state, metrics, ticks, queues', () => {
  it('updates shared data with compare-and-swap', async () => {
    const f = await load()
    f.setSharedData('sdk-hits', '40')
    const a = await f.request({ headers: { 'x-sdk-action': 'shared' } })
    const b = await f.request({ headers: { 'x-sdk-action': 'shared' } })
    expect([a.upstreamRequest?.headers['x-sdk-hits'], b.upstreamRequest?.headers['x-sdk-hits']]).toEqual(['41', '42'])
    expect(f.sharedData('sdk-hits')?.value).toBe('42')
  })

  it('defines and updates counters and gauges', async () => {
    const f = await load()
    await f.request()
    await f.request()
    expect(await f.metric('sdk_requests_total')).toBe(2)
    expect(await f.metric('sdk_active_requests')).toBe(0)
  })

  it('ticks at the configured period', async () => {
    const f = await load({ config: { tag: 't1', tickMs: 1 } })
    await f.waitFor(async () => ((await f.metric('sdk_ticks_total')) ?? 0) >= 3, 'three ticks')
  })

  it('ticks on demand with tick(), without waiting for the period', async () => {
    const f = await load({ config: { tag: 't1', tickMs: 3_600_000 } })
    f.tick()
    f.tick()
    f.tick()
    expect(await f.metric('sdk_ticks_total')).toBe(3)
    expect(f.filterLogs('debug').filter((m) => m === 'tick')).toHaveLength(3)
  })

  it('tick() refuses a filter that set no tick period, as the proxy would never tick it', async () => {
    const f = await load()
    expect(() => f.tick()).toThrow(/no tick ran/)
    expect(await f.metric('sdk_ticks_total')).toBe(0)
  })

  it('delivers queue items to the registering root context', async () => {
    const f = await load()
    await f.request({ path: '/queued', headers: { 'x-sdk-action': 'queue' } })
    expect(await f.waitForLog('queue item: /queued')).toBe('queue item: /queued')
  })
})

describe('SDK aborts', () => {
  it('logs the abort message and location at critical, and the host fails the request', async () => {
    const f = await load()
    const res = await f.request({ headers: { 'x-sdk-action': 'trap' } })
    expect(res.status).toBe(503)
    expect(res.failure?.code).toBe('WG_ERR_FILTER_TRAPPED')
    const abort = f.filterLogs('fatal').find((m) => m.startsWith('abort: sdk test trap at '))
    expect(abort).toMatch(/sdk-features\/assembly\/index\.ts:\d+:\d+$/)
    const next = await f.request()
    expect(next.status).toBe(200)
  })
})
