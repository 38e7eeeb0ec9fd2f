/**
 * Hot reload under continuous load: many undici connections send requests without pause while
 * the filter is replaced 20 times, alternating two modules (different digests) and a config that
 * names the generation. Every response must succeed, come from exactly one instance (the version
 * the upstream saw equals the one on the response), and a request sent after a PUT answered may
 * only be served by that generation or a later one.
 */
import { describe, expect, it } from 'vitest'
import { Agent, request } from 'undici'
import { startGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'
import { waitFor } from '../helpers/wait.ts'
import { VERSION_WASM, putFilter, salted, versionWasm } from './reload-support.ts'

const SWITCHES = 20
const CONNECTIONS = 32
/** Responses each generation must serve before the next switch, so the load spans seconds. */
const RESPONSES_PER_GENERATION = 150

interface Sample {
  readonly sentAfter: number
  readonly status: number
  readonly responseVersion: number
  readonly requestVersion: number
}

describe('hot reload under load', () => {
  it(`replaces a filter ${SWITCHES} times under ${CONNECTIONS} connections with zero failed requests`, async () => {
    const upstream = await startUpstream()
    const gw = await startGateway({
      log: { accessLog: false },
      clusters: [{ name: 'echo', endpoints: [upstream.url] }],
      filters: [{ name: 'ver', source: VERSION_WASM, config: { version: '0' } }],
      routes: [{ match: { prefix: '/' }, cluster: 'echo', filters: ['ver'] }],
    })
    const modules = [salted(versionWasm(), 'even'), salted(versionWasm(), 'odd')]
    const agent = new Agent({ connections: CONNECTIONS, pipelining: 1 })
    const samples: Sample[] = []
    const failures: string[] = []
    let generation = 0
    let isRunning = true

    const client = async () => {
      while (isRunning) {
        const sentAfter = generation
        try {
          const res = await request(`${gw.url}/load`, { dispatcher: agent })
          const body = (await res.body.json()) as { headers: Record<string, string> }
          samples.push({
            sentAfter,
            status: res.statusCode,
            responseVersion: Number(res.headers['x-version']),
            requestVersion: Number(body.headers['x-version']),
          })
        } catch (err) {
          failures.push(String(err))
        }
      }
    }
    const clients = Array.from({ length: CONNECTIONS }, client)
    const startedMs = Date.now()
    try {
      for (let g = 1; g <= SWITCHES; g++) {
        const seen = samples.length
        await waitFor(() => samples.length - seen >= RESPONSES_PER_GENERATION || failures.length > 0, `responses of generation ${g - 1}`, 30_000)
        const put = await putFilter(gw.adminUrl, 'ver', modules[g % 2] as Buffer, `?config=${encodeURIComponent(JSON.stringify({ version: String(g) }))}`)
        expect(put.status, JSON.stringify(put.body)).toBe(200)
        expect(put.body.generation).toBe(g + 1)
        generation = g
      }
      const seen = samples.length
      await waitFor(() => samples.length - seen >= RESPONSES_PER_GENERATION || failures.length > 0, 'responses of the last generation', 30_000)
    } finally {
      isRunning = false
      await Promise.all(clients)
      await agent.close()
    }
    const elapsedMs = Date.now() - startedMs

    expect(failures).toEqual([])
    expect(samples.filter((s) => s.status !== 200)).toEqual([])
    // Exactly one version per response: the request and response sides ran on the same instance.
    expect(samples.filter((s) => s.requestVersion !== s.responseVersion)).toEqual([])
    // After a switch, no new request reaches an older instance.
    expect(samples.filter((s) => s.responseVersion < s.sentAfter)).toEqual([])
    const versions = new Set(samples.map((s) => s.responseVersion))
    expect([...versions].sort((a, b) => a - b)).toEqual(Array.from({ length: SWITCHES + 1 }, (_, i) => i))
    expect(samples.length).toBeGreaterThanOrEqual((SWITCHES + 1) * RESPONSES_PER_GENERATION)
    // Each replaced instance retired once its last request ended.
    await waitFor(() => gw.logs.filter((r) => typeof r.msg === 'string' && r.msg.startsWith('root done ')).length >= SWITCHES, 'every replaced instance to retire')
    const retired = new Set(gw.logs.filter((r) => typeof r.msg === 'string' && r.msg.startsWith('root done ')).map((r) => Number(String(r.msg).slice('root done '.length))))
    expect([...retired].sort((a, b) => a - b)).toEqual(Array.from({ length: SWITCHES }, (_, i) => i))
    process.stdout.write(`reload under load: ${samples.length} requests, ${SWITCHES} switches, ${elapsedMs} ms\n`)
  })
})
