// `wasmgate test`: the CLI loads real .wasm files (built with the real asc, or hand-written .wat
// compiled with wabt) in-process and reports what the upstream and the client saw. Most cases run
// the CLI from source (test/helpers/cli-process.ts); one runs the bundle `npm run build` makes.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, onTestFinished } from 'vitest'
import { filterDir, useFilterBuild } from '../helpers/filter-harness.ts'
import { runCli } from '../helpers/cli-process.ts'
import { tempWasm, watFixture, watToWasm } from '../conformance/support/wat.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))
const addHeader = useFilterBuild(filterDir('add-header'))
const sdkFeatures = useFilterBuild(filterDir('sdk-features', 'fixture'))

interface Report {
  ok: boolean
  filter?: { name: string; rootId: string; abiVersion: string; sha256: string }
  request: { method: string; path: string; authority: string; headers: Array<[string, string]>; body: string }
  response?: {
    status: number
    headers: Record<string, string>
    body: string
    upstreamRequest?: { headers: Record<string, string>; body: string }
    localReply?: { status: number; details: string }
    failure?: { code: string }
  }
  logs?: Array<{ level: string; message: string; fromFilter: boolean }>
  metrics?: Array<{ name: string; type: string; value: number }>
  error?: { code: string }
}

/** Runs `wasmgate test ARGS --json`; returns the exit code, the one JSON object and stderr. */
async function cliJson(args: string[]): Promise<{ code: number | null; report: Report; stderr: string }> {
  const cli = runCli(['test', ...args, '--json'])
  const { code } = await cli.exited()
  // Every stdout line was read before exit resolves only once the stream ends: wait for it.
  await new Promise<void>((done) => (cli.child.stdout?.readableEnded ? done() : cli.child.stdout?.once('end', done)))
  expect(cli.records, `stdout of wasmgate test; stderr:\n${cli.stderr()}`).toHaveLength(1)
  return { code, report: cli.records[0] as unknown as Report, stderr: cli.stderr() }
}

describe('wasmgate test', () => {
  it('runs a filter against a synthetic request and response and exits 0', async () => {
    const { code, report } = await cliJson([
      addHeader.wasm, '--config', '{"name":"x-hello","value":"world"}',
      '--request', 'POST /hi?x=1', '-H', 'x-a: 1', '-H', 'Host: api.test', '--body', 'ping',
      '--response-status', '201', '--response-header', 'x-up: yes', '--response-body', 'pong',
    ])
    expect(code).toBe(0)
    expect(report.ok).toBe(true)
    expect(report.filter).toMatchObject({ name: 'add-header', rootId: 'add-header', abiVersion: '0.2.1' })
    expect(report.response?.upstreamRequest?.headers).toMatchObject({ ':method': 'POST', ':path': '/hi?x=1', ':authority': 'api.test', 'x-a': '1', 'x-hello': 'world' })
    expect(report.response?.upstreamRequest?.body).toBe('ping')
    expect(report.response?.status).toBe(201)
    expect(report.response?.headers).toMatchObject({ 'x-up': 'yes', 'x-hello': 'world' })
    expect(report.response?.body).toBe('pong')
  })

  it('prints a readable report without --json', async () => {
    const cli = runCli(['test', addHeader.wasm, '--config', '{"name":"x-hello","value":"world"}', '--request', '/'])
    expect((await cli.exited()).code).toBe(0)
    const text = cli.records.map((r) => String(r.text ?? JSON.stringify(r))).join('\n')
    expect(text).toContain('x-hello: world')
    expect(text).toContain('200 from the upstream')
  })

  it('reports a local reply, the filter log lines and its metrics, and exits 0', async () => {
    const { code, report } = await cliJson([sdkFeatures.wasm, '--config', '{"tag":"cli"}', '-H', 'x-sdk-action: local-reply'])
    expect(code).toBe(0)
    expect(report.response?.status).toBe(403)
    expect(report.response?.localReply?.status).toBe(403)
    expect(report.response?.upstreamRequest).toBeUndefined()
    expect(report.logs).toContainEqual({ level: 'info', message: 'configured tag=cli', fromFilter: true })
    expect(report.metrics).toContainEqual(expect.objectContaining({ name: 'wasmcustom_sdk_requests_total', type: 'counter', value: 1 }))
  })

  it('exits non-zero with WG_ERR_FILTER_TRAPPED when the filter traps, after printing what happened', async () => {
    const { code, report, stderr } = await cliJson([await watFixture('trap-on-request-headers')])
    expect(code).not.toBe(0)
    expect(report.ok).toBe(false)
    expect(report.error?.code).toBe('WG_ERR_FILTER_TRAPPED')
    expect(report.response?.status).toBe(503)
    expect(report.response?.failure?.code).toBe('WG_ERR_FILTER_TRAPPED')
    expect(report.logs?.some((l) => !l.fromFilter && l.level === 'error')).toBe(true)
    expect(stderr).toContain('WG_ERR_FILTER_TRAPPED')
  })

  it('exits non-zero with the configure error and the filter\'s reason when it refuses its config', async () => {
    const { code, report } = await cliJson([addHeader.wasm, '--config', '{"name":""}'])
    expect(code).not.toBe(0)
    expect(report.error?.code).toBe('WG_ERR_FILTER_CONFIGURE_FAILED')
    expect(report.filter).toBeUndefined()
    expect(report.logs?.some((l) => l.fromFilter && l.message.startsWith('invalid configuration: name:'))).toBe(true)
  })

  it('exits non-zero with WG_ERR_WASM_INVALID for a file that is not Wasm', async () => {
    const { code, report } = await cliJson([tempWasm(new TextEncoder().encode('not wasm'), 'junk.wasm')])
    expect(code).not.toBe(0)
    expect(report.error?.code).toBe('WG_ERR_WASM_INVALID')
  })

  it('fails with WG_ERR_CLI_TEST_TIMEOUT when the filter pauses the request for good', async () => {
    const pauser = tempWasm(
      await watToWasm(`(module
        (memory (export "memory") 1)
        (func (export "malloc") (param i32) (result i32) i32.const 1024)
        (func (export "proxy_abi_version_0_2_1"))
        (func (export "proxy_on_context_create") (param i32 i32))
        (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) i32.const 1))`),
      'pauser.wasm',
    )
    const { code, report } = await cliJson([pauser, '--timeout-ms', '300'])
    expect(code).not.toBe(0)
    expect(report.error?.code).toBe('WG_ERR_CLI_TEST_TIMEOUT')
    expect(report.response).toBeUndefined()
  })

  it('reads --config and --body from @file, and rejects a malformed header as a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasmgate-cli-test-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    writeFileSync(join(dir, 'config.json'), '{"name":"x-from-file","value":"1"}')
    writeFileSync(join(dir, 'body.txt'), 'file body')
    const { code, report } = await cliJson([addHeader.wasm, '--config', `@${join(dir, 'config.json')}`, '--body', `@${join(dir, 'body.txt')}`])
    expect(code).toBe(0)
    expect(report.request.method).toBe('POST')
    expect(report.response?.upstreamRequest?.headers['x-from-file']).toBe('1')
    expect(report.response?.upstreamRequest?.body).toBe('file body')

    const bad = runCli(['test', addHeader.wasm, '-H', 'no-colon'])
    expect((await bad.exited()).code).not.toBe(0)
    expect(bad.stderr()).toContain('WG_ERR_CLI_USAGE')
  })

  it('docs/cli.md has a section for every command and names every option of `test`', async () => {
    const doc = readFileSync(join(root, 'docs', 'cli.md'), 'utf8')
    const help = async (args: string[]): Promise<string> => {
      const cli = runCli(args)
      await cli.exited()
      return cli.records.map((r) => String(r.text ?? '')).join('\n')
    }
    const commands = [...(await help(['--help'])).split('Commands:')[1]?.matchAll(/^ {2}([a-z]+) /gm) ?? []].map((m) => m[1] as string).filter((c) => c !== 'help')
    expect(commands).toContain('test')
    for (const c of commands) expect(doc, `docs/cli.md section for ${c}`).toContain(`## wasmgate ${c}\n`)
    const options = [...(await help(['test', '--help'])).matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1] as string).filter((o) => o !== '--help')
    expect(options.length).toBeGreaterThan(5)
    const section = doc.split('## wasmgate test\n')[1]?.split('\n## ')[0] ?? ''
    for (const o of options) expect(section, `docs/cli.md documents ${o}`).toContain(o)
  })

  it('runs from the built bundle (bin/wasmgate.js -> dist/cli.js)', async () => {
    const bundle = join(root, 'dist', 'cli.js')
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build\` (npm test does) before this test`)
    const child = spawn(process.execPath, [join(root, 'bin', 'wasmgate.js'), 'test', addHeader.wasm, '--config', '{"name":"x-built","value":"yes"}', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
    onTestFinished(() => void (child.exitCode === null && child.kill('SIGKILL')))
    let out = ''
    let err = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    child.stderr.on('data', (c: Buffer) => (err += c.toString()))
    const code = await new Promise<number | null>((done) => child.once('close', (c) => done(c)))
    expect(code, err).toBe(0)
    const report = JSON.parse(out) as Report
    expect(report.response?.upstreamRequest?.headers['x-built']).toBe('yes')
  })
})
