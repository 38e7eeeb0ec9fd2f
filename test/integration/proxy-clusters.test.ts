import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { startGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'
import { deferred, waitFor } from '../helpers/wait.ts'

const ok = (name: string) => startUpstream((_req, res) => void res.writeHead(200).end(name))
const status = (code: number) => startUpstream((_req, res) => void res.writeHead(code).end(`status ${code}`))

async function get(url: string, method = 'GET', body?: string) {
  const res = await request(url, { method, ...(body === undefined ? {} : { body }) })
  const text = await res.body.text()
  return { status: res.statusCode, text, json: () => JSON.parse(text) as { code: string; requestId: string }, headers: res.headers }
}

/** A port nothing listens on. */
async function deadUrl(): Promise<string> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((r) => s.close(() => r()))
  return `http://127.0.0.1:${port}`
}

function one(endpoints: string[], extra: Record<string, unknown> = {}) {
  return { clusters: [{ name: 'c', endpoints, ...extra }], routes: [{ match: { prefix: '/' }, cluster: 'c' }] }
}

describe('load balancing', () => {
  it('round_robin spreads requests evenly', async () => {
    const ups = await Promise.all([ok('a'), ok('b'), ok('c')])
    const gw = await startGateway(one(ups.map((u) => u.url)))
    for (let i = 0; i < 30; i++) expect((await get(gw.url)).status).toBe(200)
    expect(ups.map((u) => u.requests)).toEqual([10, 10, 10])
  })

  it('random reaches every endpoint', async () => {
    const ups = await Promise.all([ok('a'), ok('b'), ok('c')])
    const gw = await startGateway(one(ups.map((u) => u.url), { lb: 'random' }))
    for (let i = 0; i < 300; i++) await get(gw.url)
    for (const u of ups) expect(u.requests).toBeGreaterThan(30)
    expect(ups.reduce((n, u) => n + u.requests, 0)).toBe(300)
  })

  it('least_request avoids the endpoint with a request in flight', async () => {
    const hold = deferred()
    const slow = await startUpstream(async (_req, res) => {
      await hold.promise
      res.writeHead(200).end('slow')
    })
    const fast = await ok('fast')
    const gw = await startGateway(one([slow.url, fast.url], { lb: 'least_request' }))
    const pending: Promise<unknown>[] = []
    for (let i = 0; i < 10; i++) {
      const before = slow.requests + fast.requests
      const p = get(gw.url)
      await waitFor(() => slow.requests + fast.requests > before, 'the request to reach an upstream')
      if (fast.requests + slow.requests > before && slow.requests > 0 && pending.length === 0) pending.push(p)
      else await p
    }
    expect(slow.requests).toBe(1)
    expect(fast.requests).toBe(9)
    hold.resolve()
    await Promise.all(pending)
  })
})

describe('retries', () => {
  it('retries a GET on 503 on another endpoint', async () => {
    const bad = await status(503)
    const good = await ok('good')
    const gw = await startGateway(one([bad.url, good.url], { retries: { maxTries: 2 } }))
    for (let i = 0; i < 6; i++) expect((await get(gw.url)).status).toBe(200)
    expect(bad.requests).toBeGreaterThan(0)
    const access = gw.accessLogs().filter((r) => r.tries === 2)
    expect(access.length).toBe(bad.requests)
    const stats = await (await request(`${gw.adminUrl}/stats/prometheus`)).body.text()
    expect(stats).toMatch(new RegExp(`wasmgate_upstream_retries_total\\{cluster="c"\\} ${bad.requests}`))
  })

  it('retries up to maxTries, then answers the last status', async () => {
    const bad = await status(503)
    const gw = await startGateway(one([bad.url], { retries: { maxTries: 3 } }))
    expect((await get(gw.url)).status).toBe(503)
    expect(bad.requests).toBe(3)
  })

  it('never retries a non-idempotent POST', async () => {
    const bad = await status(503)
    const gw = await startGateway(one([bad.url], { retries: { maxTries: 3 } }))
    expect((await get(gw.url, 'POST', 'payload')).status).toBe(503)
    expect((await get(gw.url, 'POST')).status).toBe(503)
    expect(bad.requests).toBe(2)
  })

  it('retries a connect failure on the next endpoint, and answers 502 when none is left', async () => {
    const dead = await deadUrl()
    const good = await ok('good')
    const gw = await startGateway({
      clusters: [
        { name: 'mixed', endpoints: [dead, good.url], retries: { maxTries: 2 } },
        { name: 'dead', endpoints: [dead] },
      ],
      routes: [
        { match: { prefix: '/dead' }, cluster: 'dead' },
        { match: { prefix: '/' }, cluster: 'mixed' },
      ],
    })
    for (let i = 0; i < 4; i++) expect((await get(gw.url)).status).toBe(200)
    const res = await get(`${gw.url}/dead`)
    expect(res.status).toBe(502)
    expect(res.json().code).toBe('WG_ERR_UPSTREAM_CONNECT')
    expect(res.json().requestId).toBe(res.headers['x-request-id'])
    await gw.waitForLog((r) => r.code === 'WG_ERR_UPSTREAM_CONNECT' && r.requestId === res.json().requestId)
  })

  it('answers 502 when the upstream resets the connection', async () => {
    const rude = await startUpstream((req) => void req.socket.destroy())
    const gw = await startGateway(one([rude.url]))
    const res = await get(gw.url)
    expect(res.status).toBe(502)
    expect(res.json().code).toBe('WG_ERR_UPSTREAM_RESET')
  })
})

describe('timeouts', () => {
  it('answers 504 when the upstream does not answer within timeouts.requestMs', async () => {
    const hold = deferred()
    const hang = await startUpstream(async (_req, res) => {
      await hold.promise
      res.end()
    })
    const gw = await startGateway(one([hang.url], { timeouts: { requestMs: 100 } }))
    const res = await get(gw.url)
    hold.resolve()
    expect(res.status).toBe(504)
    expect(res.json().code).toBe('WG_ERR_UPSTREAM_TIMEOUT')
  })

  it('a route timeoutMs overrides the cluster, and a per-try timeout is retried elsewhere', async () => {
    const hold = deferred()
    const hang = await startUpstream(async (_req, res) => {
      await hold.promise
      res.end()
    })
    const good = await ok('good')
    const gw = await startGateway({
      clusters: [{ name: 'c', endpoints: [hang.url, good.url], retries: { maxTries: 2, perTryTimeoutMs: 100, retryOn: ['timeout'] } }],
      routes: [{ match: { prefix: '/' }, cluster: 'c', timeoutMs: 30_000 }],
    })
    // Round robin puts the hanging endpoint first each time; every request still succeeds.
    for (let i = 0; i < 2; i++) expect((await get(gw.url)).status).toBe(200)
    expect(hang.requests).toBe(2)
    expect(good.requests).toBe(2)
    hold.resolve()
  })
})
