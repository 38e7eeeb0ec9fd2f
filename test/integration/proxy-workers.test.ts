import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { describe, expect, it, onTestFinished } from 'vitest'
import { runCli } from '../helpers/cli-process.ts'
import { startUpstream } from '../helpers/upstream.ts'
import { waitFor } from '../helpers/wait.ts'

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'wasmgate-workers-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'wasmgate.yaml')
  writeFileSync(file, text)
  return file
}

const stalledMsg = 'worker stalled: no heartbeat; killing it'

describe('wasmgate serve --workers: stalled-worker watchdog', () => {
  it('kills and replaces a worker whose event loop is blocked, and only that one', async () => {
    const up = await startUpstream()
    const file = configFile(`
listen: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
workers: { stallTimeoutMs: 2000 }
clusters:
  - name: backend
    endpoints: [ "${up.url}" ]
routes:
  - match: { prefix: "/" }
    cluster: backend
`)
    // The workers inherit this; it adds POST /stall_for_testing to their admin servers.
    process.env.WASMGATE_STALL_ROUTE_FOR_TESTING = '1'
    onTestFinished(() => {
      delete process.env.WASMGATE_STALL_ROUTE_FOR_TESTING
    })
    const cli = runCli(['serve', '--config', file, '--workers', '2'])
    const listening = await cli.waitForRecord((r) => r.msg === 'gateway listening')
    await waitFor(() => cli.records.filter((r) => r.msg === 'gateway listening').length === 2, 'two workers listening', 20_000)

    // The stall route is on each worker's own admin server (the shared admin port would send a POST to all).
    const stall = await request(`${String(listening.workerAdminUrl)}/stall_for_testing`, { method: 'POST' })
    const { pid } = (await stall.body.json()) as { pid: number }
    const killed = await cli.waitForRecord((r) => r.msg === stalledMsg && r.pid === pid)
    expect(killed.stallTimeoutMs).toBe(2000)
    expect(Number(killed.silentMs)).toBeGreaterThan(2000)
    await cli.waitForRecord((r) => r.msg === 'stalled worker killed; restarting it' && r.pid === pid)
    const restarted = await cli.waitForRecord((r) => r.msg === 'worker restarted' && r.replaces === pid)
    expect(restarted.pid).not.toBe(pid)
    await waitFor(() => cli.records.filter((r) => r.msg === 'gateway listening').length === 3, 'the replacement listening', 20_000)

    for (let i = 0; i < 6; i++) {
      const res = await request(String(listening.url), { headers: { connection: 'close' } })
      expect(res.statusCode).toBe(200)
      await res.body.dump()
    }
    // The healthy worker kept beating: it was never killed.
    expect(cli.records.filter((r) => r.msg === stalledMsg)).toHaveLength(1)
    cli.child.kill('SIGTERM')
    expect((await cli.exited()).code).toBe(0)
  })
})
