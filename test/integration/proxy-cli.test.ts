import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { describe, expect, it, onTestFinished } from 'vitest'
import { runCli } from '../helpers/cli-process.ts'
import { startUpstream } from '../helpers/upstream.ts'
import { deferred, waitFor } from '../helpers/wait.ts'

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'wasmgate-cli-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'wasmgate.yaml')
  writeFileSync(file, text)
  return file
}

const proxyYaml = (upstream: string, extra = '') => `
listen: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
clusters:
  - name: backend
    endpoints: [ "${upstream}" ]
routes:
  - match: { prefix: "/" }
    cluster: backend
${extra}`

describe('wasmgate serve', () => {
  it('exits non-zero before listening, listing every config error as path: problem (got VALUE)', async () => {
    const file = configFile(`
listen: { port: 99999 }
clusters:
  - name: backend
    endpoints: [ "ftp://nope" ]
    lb: fastest
routes:
  - match: { prefix: "/" }
    cluster: missing
`)
    const cli = runCli(['serve', '--config', file])
    const { code } = await cli.exited()
    expect(code).not.toBe(0)
    const err = cli.stderr()
    expect(err).toContain('WG_ERR_CONFIG_INVALID')
    expect(err).toMatch(/listen\.port: .+ \(got 99999\)/)
    expect(err).toMatch(/clusters\[0\]\.endpoints\[0\]: .+ \(got "ftp:\/\/nope"\)/)
    expect(err).toMatch(/clusters\[0\]\.lb: expected one of round_robin, least_request, random \(got "fastest"\)/)
    expect(err).toMatch(/routes\[0\]\.cluster: no cluster with this name .+ \(got "missing"\)/)
    expect(cli.records.some((r) => r.msg === 'gateway listening')).toBe(false)
  })

  it('drains a slow in-flight request on SIGTERM and exits 0', async () => {
    const hold = deferred()
    const up = await startUpstream(async (_req, res) => {
      await hold.promise
      res.writeHead(200).end('finished')
    })
    const cli = runCli(['serve', '--config', configFile(proxyYaml(up.url)), '--log-level', 'info'])
    const listening = await cli.waitForRecord((r) => r.msg === 'gateway listening')
    const inflight = request(String(listening.url))
    await waitFor(() => up.requests === 1, 'the request to reach the upstream')
    cli.child.kill('SIGTERM')
    await cli.waitForRecord((r) => r.msg === 'shutting down: draining in-flight requests')
    hold.resolve()
    const res = await inflight
    expect(await res.body.text()).toBe('finished')
    expect(await cli.exited()).toEqual({ code: 0, signal: null })
  })

  it('runs --workers N behind one port and restarts a dead worker', async () => {
    const up = await startUpstream()
    const cli = runCli(['serve', '--config', configFile(proxyYaml(up.url)), '--workers', '2'])
    const listening = await cli.waitForRecord((r) => r.msg === 'gateway listening')
    const adminUrl = String(listening.adminUrl)
    await waitFor(() => cli.records.filter((r) => r.msg === 'gateway listening').length === 2, 'two workers listening')
    const pids = new Set<number>()
    await waitFor(async () => {
      pids.add(((await (await request(`${adminUrl}/live`, { headers: { connection: 'close' } })).body.json()) as { pid: number }).pid)
      return pids.size === 2
    }, 'both workers to answer')
    const victim = [...pids][0] as number
    process.kill(victim, 'SIGKILL')
    const restarted = await cli.waitForRecord((r) => r.msg === 'worker restarted' && r.replaces === victim)
    expect(restarted.pid).not.toBe(victim)
    await waitFor(() => cli.records.filter((r) => r.msg === 'gateway listening').length === 3, 'the new worker listening')
    for (let i = 0; i < 6; i++) expect((await request(String(listening.url))).statusCode).toBe(200)
    cli.child.kill('SIGTERM')
    expect((await cli.exited()).code).toBe(0)
  })
})
