// The bench's `wasmgate-ts4` row (bench/peers/ts-hooks-runtime.ts) does the work of the
// `wasmgate-4filters` row: the same config (bench/scenarios/production-filters.mjs) through the
// same gateway gives the upstream and the client the same headers, Wasm or TypeScript. No timing.
import { request } from 'undici'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createTsHooksRuntime } from '../../bench/peers/ts-hooks-runtime.ts'
import { createGateway, type CreateGatewayOptions } from '../../host/index.ts'
import { startUpstream, type EchoBody } from '../helpers/upstream.ts'

const root = new URL('../..', import.meta.url).pathname
// A computed specifier: the .mjs module has no type declarations.
const scenarioModule = new URL('../../bench/scenarios/production-filters.mjs', import.meta.url).href
const { productionFilters } = (await import(scenarioModule)) as {
  productionFilters(): { filters: Array<{ name: string; source: string; config: unknown }>; missing: string | undefined }
}

interface Seen {
  status: number
  /** Response headers the client got, `date` left out. */
  response: Record<string, unknown>
  /** Headers the upstream got, the gateway's port written as PORT. */
  upstream: Record<string, unknown>
  body: string
}

async function startBoth(upstreamUrl: string) {
  const { filters, missing } = productionFilters()
  if (missing) throw new Error(`${missing}: run \`npm run build\` first`)
  const config = {
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    log: { level: 'warn', accessLog: false },
    clusters: [{ name: 'upstream', endpoints: [upstreamUrl] }],
    filters,
    routes: [{ match: { prefix: '/' }, cluster: 'upstream', filters: filters.map((f) => f.name) }],
  }
  const start = async (options: CreateGatewayOptions) => {
    const gw = await createGateway(structuredClone(config), { baseDir: root, ...options })
    onTestFinished(() => gw.close())
    return gw
  }
  return { wasm: await start({}), ts: await start({ filterRuntimeForTesting: createTsHooksRuntime }) }
}

async function send(port: number, method: string, headers: Record<string, string>, body?: string): Promise<Seen> {
  const res = await request(`http://127.0.0.1:${port}/bench/path?q=1`, { method, headers, ...(body !== undefined ? { body } : {}) })
  const text = await res.body.text()
  const { date: _date, ...response } = res.headers
  let upstream: Record<string, unknown> = {}
  let echoed = text
  if (res.statusCode === 200) {
    const e = JSON.parse(text) as EchoBody
    upstream = JSON.parse(JSON.stringify(e.headers).replaceAll(String(port), 'PORT')) as Record<string, unknown>
    echoed = `${e.method} ${e.path} ${e.body}`
  }
  return { status: res.statusCode, response, upstream, body: echoed }
}

const admitted = {
  authorization: 'Bearer bench-token',
  'user-agent': 'bench-ts-hooks-test',
  'x-unused': 'dropped by header-rewrite',
  'x-request-id': 'req-1',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
}

describe('bench wasmgate-ts4: TypeScript hooks match the four Wasm filters', () => {
  it('an admitted GET reaches the upstream and the client with the same headers', async () => {
    const upstream = await startUpstream()
    const { wasm, ts } = await startBoth(upstream.url)
    const [w, t] = [await send(wasm.port, 'GET', admitted), await send(ts.port, 'GET', admitted)]
    expect(w.status).toBe(200)
    // The filters' work is visible, so the comparison below is not comparing two no-ops.
    expect(w.upstream).toMatchObject({ 'x-consumer': 'bench', 'x-bench': '1', 'x-request-id': 'req-1' })
    expect(w.upstream).not.toHaveProperty('x-unused')
    expect(w.response).toMatchObject({ 'x-served-by': 'wasmgate', 'ratelimit-limit': expect.any(String) as unknown })
    // A continued trace: same trace id and flags, a fresh span id on each side.
    const span = /^(00-[0-9a-f]{32})-[0-9a-f]{16}-(0[01])$/
    expect(String(t.upstream.traceparent).replace(span, '$1 $2')).toBe(String(w.upstream.traceparent).replace(span, '$1 $2'))
    delete w.upstream.traceparent
    delete t.upstream.traceparent
    expect(t).toEqual(w)
  })

  it('a POST body goes through both unchanged', async () => {
    const upstream = await startUpstream()
    const { wasm, ts } = await startBoth(upstream.url)
    const headers = { ...admitted, 'content-type': 'application/json' }
    const body = JSON.stringify({ payload: 'x'.repeat(16 * 1024) })
    const [w, t] = [await send(wasm.port, 'POST', headers, body), await send(ts.port, 'POST', headers, body)]
    expect(w.status).toBe(200)
    expect(w.body).toBe(`POST /bench/path?q=1 ${body}`)
    delete w.upstream.traceparent
    delete t.upstream.traceparent
    expect(t).toEqual(w)
  })

  it('a wrong key is refused by both with the same reply, before the upstream', async () => {
    const upstream = await startUpstream()
    const { wasm, ts } = await startBoth(upstream.url)
    const wrong = { ...admitted, authorization: 'Bearer nope' }
    const [w, t] = [await send(wasm.port, 'GET', wrong), await send(ts.port, 'GET', wrong)]
    expect(w.status).toBe(401)
    expect(t).toEqual(w)
    expect(upstream.requests).toBe(0)
  })
})
