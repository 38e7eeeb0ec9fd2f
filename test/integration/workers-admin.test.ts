import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { describe, expect, it, onTestFinished } from 'vitest'
import { runCli } from '../helpers/cli-process.ts'
import { startUpstream } from '../helpers/upstream.ts'
import { waitFor } from '../helpers/wait.ts'

const ADD_HEADER_WASM = new URL('../../filters/add-header/build/add-header.wasm', import.meta.url).pathname

function configFile(upstreamUrl: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'wasmgate-workers-admin-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'wasmgate.json')
  writeFileSync(
    file,
    JSON.stringify({
      listen: { host: '127.0.0.1', port: 0 },
      admin: { host: '127.0.0.1', port: 0 },
      clusters: [{ name: 'echo', endpoints: [upstreamUrl] }],
      filters: [{ name: 'add-header', source: ADD_HEADER_WASM, config: { name: 'x-hello', value: 'old' } }],
      routes: [{ match: { prefix: '/' }, cluster: 'echo', filters: ['add-header'] }],
    }),
  )
  return file
}

/** Requests each worker counted, from the merged stats (every sample carries worker="PID"). */
async function requestsByWorker(adminUrl: string): Promise<Map<number, number>> {
  const text = await (await request(`${adminUrl}/stats/prometheus`)).body.text()
  const counts = new Map<number, number>()
  for (const m of text.matchAll(/^wasmgate_requests_total\{worker="(\d+)",[^}]*\} (\d+)$/gm)) {
    counts.set(Number(m[1]), (counts.get(Number(m[1])) ?? 0) + Number(m[2]))
  }
  return counts
}

/**
 * Sends `count` requests, each on its own connection (the cluster spreads connections over the
 * workers), and returns the x-hello values seen plus the pids of the workers that answered
 * (those whose request counter moved).
 */
async function sweep(adminUrl: string, url: string, count: number): Promise<{ values: string[]; pids: Set<number> }> {
  const before = await requestsByWorker(adminUrl)
  const values: string[] = []
  for (let i = 0; i < count; i++) {
    const res = await request(`${url}/sweep`, { headers: { connection: 'close' } })
    expect(res.statusCode).toBe(200)
    await res.body.dump()
    values.push(String(res.headers['x-hello']))
  }
  let after = new Map<number, number>()
  const total = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0)
  await waitFor(async () => total((after = await requestsByWorker(adminUrl))) - total(before) >= count, `${count} requests counted`)
  return { values, pids: new Set([...after].filter(([pid, n]) => n > (before.get(pid) ?? 0)).map(([pid]) => pid)) }
}

/** `serve --workers 2` on the add-header config, once both workers listen and reported to the primary. */
async function startTwoWorkers() {
  if (!existsSync(ADD_HEADER_WASM)) throw new Error(`${ADD_HEADER_WASM} is missing: run npm run build:wasm`)
  const up = await startUpstream()
  onTestFinished(() => up.close())
  const cli = runCli(['serve', '--config', configFile(up.url), '--workers', '2'])
  const adminUrl = String((await cli.waitForRecord((r) => r.msg === 'admin listening for all workers')).adminUrl)
  await waitFor(() => cli.records.filter((r) => r.msg === 'gateway listening').length === 2, 'two workers listening', 30_000)
  const url = String(cli.records.find((r) => r.msg === 'gateway listening')?.url)
  await waitFor(async () => (await request(`${adminUrl}/ready`)).statusCode === 200, 'both workers to report their admin port')
  return { cli, adminUrl, url }
}

describe('wasmgate serve --workers: the admin API reaches every worker', () => {
  it('PUT /filters/NAME changes every worker; a refused PUT changes none; stats carry a worker label', async () => {
    const { cli, adminUrl, url } = await startTwoWorkers()
    const workerPids = new Set(cli.records.filter((r) => r.msg === 'worker started').map((r) => Number(r.pid)))
    expect(workerPids.size).toBe(2)

    const first = await sweep(adminUrl, url, 12)
    expect(first.pids).toEqual(workerPids)
    expect(new Set(first.values)).toEqual(new Set(['old']))

    const put = await request(`${adminUrl}/filters/add-header`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ source: ADD_HEADER_WASM, config: { name: 'x-hello', value: 'new' } }),
    })
    const putBody = (await put.body.json()) as Record<string, unknown>
    expect(put.statusCode, JSON.stringify(putBody)).toBe(200)
    const after = await sweep(adminUrl, url, 12)
    expect(after.pids).toEqual(workerPids)
    expect(new Set(after.values)).toEqual(new Set(['new']))

    // An empty header name fails the filter's configure in every worker: refused, nothing changes.
    const refused = await request(`${adminUrl}/filters/add-header`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ source: ADD_HEADER_WASM, config: { name: '', value: 'bad' } }),
    })
    const refusedBody = (await refused.body.json()) as { code: string; message: string; refusedBy: number[]; workers: Array<{ pid: number; status: number }> }
    expect(refused.statusCode).toBeGreaterThanOrEqual(400)
    expect(refusedBody.code).toMatch(/^WG_ERR_/)
    expect(new Set(refusedBody.refusedBy)).toEqual(workerPids)
    expect(refusedBody.workers).toHaveLength(2)
    const still = await sweep(adminUrl, url, 12)
    expect(still.pids).toEqual(workerPids)
    expect(new Set(still.values)).toEqual(new Set(['new']))

    // Every worker's /filters agrees, whichever answers.
    for (let i = 0; i < 4; i++) {
      const rows = ((await (await request(`${adminUrl}/filters`)).body.json()) as { filters: Array<{ name: string; generation: number; lastError: { code: string } | null }> }).filters
      const row = rows.find((f) => f.name === 'add-header')
      expect(row?.generation).toBe(2)
      expect(row?.lastError?.code).toBe(refusedBody.code)
    }

    const stats = await (await request(`${adminUrl}/stats/prometheus`)).body.text()
    for (const pid of workerPids) expect(stats).toContain(`wasmgate_requests_total{worker="${pid}",`)
    expect(stats.match(/^# TYPE wasmgate_requests_total /gm)).toHaveLength(1)

    // Larger than the primary buffers for a broadcast: 413, read by no worker.
    const huge = await request(`${adminUrl}/filters/add-header`, { method: 'PUT', headers: { 'content-type': 'application/wasm' }, body: Buffer.alloc(64 * 1024 * 1024 + 1) })
    expect(huge.statusCode).toBe(413)
    expect(((await huge.body.json()) as { code: string }).code).toBe('WG_ERR_ADMIN_TOO_LARGE')

    cli.child.kill('SIGTERM')
    expect((await cli.exited()).code).toBe(0)
  })

  it('a worker started to replace a dead one gets the filters PUT before it started; after SIGHUP, the file again', async () => {
    const { cli, adminUrl, url } = await startTwoWorkers()
    const put = async (value: string) => {
      const res = await request(`${adminUrl}/filters/add-header`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ source: ADD_HEADER_WASM, config: { name: 'x-hello', value } }),
      })
      await res.body.dump()
      expect(res.statusCode).toBe(200)
    }
    /** Kills one worker and waits until its replacement serves and reported to the primary. */
    const replaceOneWorker = async (): Promise<number> => {
      const started = cli.records.filter((r) => r.msg === 'worker started').map((r) => Number(r.pid))
      const victim = started.at(-1) as number
      const listening = cli.records.filter((r) => r.msg === 'gateway listening').length
      process.kill(victim, 'SIGKILL')
      await waitFor(() => cli.records.some((r) => r.msg === 'worker restarted' && r.replaces === victim), 'the worker restarted', 30_000)
      const fresh = Number(cli.records.find((r) => r.msg === 'worker restarted' && r.replaces === victim)?.pid)
      await waitFor(() => cli.records.filter((r) => r.msg === 'gateway listening').length > listening, 'the new worker listening', 30_000)
      await waitFor(async () => (await request(`${adminUrl}/ready`)).statusCode === 200, 'the new worker reported its admin port')
      return fresh
    }

    await put('v2')
    await put('v3') // only the last change per filter is replayed
    const fresh = await replaceOneWorker()
    const after = await sweep(adminUrl, url, 16)
    expect(after.pids.has(fresh)).toBe(true)
    expect(new Set(after.values)).toEqual(new Set(['v3']))
    expect(cli.records.some((r) => r.msg === 'earlier admin changes replayed to a new worker' && r.pid === fresh && r.changes === 1)).toBe(true)

    // SIGHUP: every worker reloads the file, and a worker started afterwards gets nothing older.
    process.kill(cli.child.pid as number, 'SIGHUP')
    await waitFor(async () => {
      const values = new Set((await sweep(adminUrl, url, 8)).values)
      return values.size === 1 && values.has('old')
    }, 'every worker back on the file', 30_000)
    const later = await replaceOneWorker()
    const back = await sweep(adminUrl, url, 16)
    expect(back.pids.has(later)).toBe(true)
    expect(new Set(back.values)).toEqual(new Set(['old']))

    cli.child.kill('SIGTERM')
    expect((await cli.exited()).code).toBe(0)
  })
})
