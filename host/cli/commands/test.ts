/**
 * @module
 * `wasmgate test FILE.wasm`: loads a filter in-process with wasmgate/testing (the proxy's own
 * runtime: compile, vm_start, configure), sends one synthetic request through it to a synthetic
 * upstream response, and prints what each side saw, the filter's log lines and its metrics.
 * Exit 0 when the filter loaded and the request completed, whatever its status (a local reply
 * and a reset count as completed); non-zero with the WG_ERR code when loading failed, the host
 * failed the request (a trap) or the request never completed.
 */
import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { isWasmgateError, WasmgateError } from '../../errors.ts'
import { loadFilter, type LogRecord, type TestFilter, type TestRequest } from '../../testing.ts'
import { formatTestReport, type TestReport } from '../test-report.ts'

interface TestFlags {
  readonly config?: string
  readonly vmConfig?: string
  readonly rootId?: string
  readonly request?: string
  readonly header?: string[]
  readonly body?: string
  readonly responseStatus: string
  readonly responseHeader?: string[]
  readonly responseBody?: string
  readonly timeoutMs: string
  readonly json?: boolean
}

type CliRequest = TestRequest & { readonly method: string; readonly path: string; readonly authority: string; readonly headers: Array<[string, string]> }

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value]

export function registerTest(program: Command): void {
  program
    .command('test')
    .description('run a .wasm filter in-process against one synthetic request and upstream response; print what each side saw')
    .argument('<file>', 'the filter module (.wasm)')
    .option('--config <json|@file>', 'plugin configuration, passed as raw bytes (JSON for the SDK\'s filters)')
    .option('--vm-config <text|@file>', 'VM configuration (raw bytes for proxy_on_vm_start)')
    .option('--root-id <id>', 'root id of the plugin (default: the file name without .wasm)')
    .option('--request <"METHOD /path">', 'request line; the path may be a full http(s) URL (default: GET /, or POST / with --body)')
    .option('-H, --header <"name: value">', 'request header (repeatable); host sets :authority', collect)
    .option('--body <text|@file>', 'request body (the method defaults to POST with a body)')
    .option('--response-status <n>', 'status of the synthetic upstream response', '200')
    .option('--response-header <"name: value">', 'upstream response header (repeatable)', collect)
    .option('--response-body <text|@file>', 'upstream response body (default: empty)')
    .option('--timeout-ms <ms>', 'fail when the request has not completed by then (a filter that pauses forever)', '10000')
    .option('--json', 'print the result as one JSON object')
    .action(async (file: string, flags: TestFlags) => {
      await runTest(file, flags)
    })
}

async function runTest(file: string, flags: TestFlags): Promise<void> {
  const request = await parseRequest(flags)
  const status = Number(flags.responseStatus)
  if (!Number.isInteger(status) || status < 100 || status > 599) throw usage(`--response-status must be an HTTP status 100-599 (got ${flags.responseStatus})`)
  const timeoutMs = Number(flags.timeoutMs)
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw usage(`--timeout-ms must be a positive integer (got ${flags.timeoutMs})`)
  const upstream = { status, headers: (flags.responseHeader ?? []).map((h) => parseHeader(h, '--response-header')), body: (await readArg(flags.responseBody, '--response-body')) ?? '' }
  const report: TestReport = { ok: false, file, request: describeRequest(request) }

  let filter: TestFilter
  try {
    filter = await loadFilter(file, {
      config: await readArg(flags.config, '--config'),
      vmConfig: await readArg(flags.vmConfig, '--vm-config'),
      ...(flags.rootId === undefined ? {} : { rootId: flags.rootId }),
      upstream: () => upstream,
    })
  } catch (err) {
    report.logs = shownLogs((err as { logs?: LogRecord[] }).logs ?? [])
    return finish(report, flags, err)
  }

  try {
    report.filter = filter.status()
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)))
    const res = await Promise.race([filter.request(request), timedOut]).finally(() => clearTimeout(timer))
    let error: unknown
    if (res === undefined) error = new WasmgateError('WG_ERR_CLI_TEST_TIMEOUT', [timeoutMs])
    else {
      report.response = res
      if (res.failure !== undefined) error = new WasmgateError(res.failure.code as 'WG_ERR_FILTER_TRAPPED', [], { message: res.failure.details })
    }
    report.logs = shownLogs(filter.logs)
    report.metrics = await filter.filterMetrics()
    finish(report, flags, error)
  } finally {
    await filter.close()
  }
}

/** Prints the report; throws the error (main prints it and exits 1) after the report is out. */
function finish(report: TestReport, flags: TestFlags, error: unknown): void {
  report.ok = error === undefined
  if (error !== undefined) {
    // Not a WasmgateError (a host bug): main prints its stack.
    report.error = isWasmgateError(error) ? error.toJSON() : { code: null, message: String((error as Error)?.message ?? error), hint: null }
  }
  process.stdout.write(flags.json === true ? `${JSON.stringify(report, jsonBytes)}\n` : formatTestReport(report))
  if (error !== undefined) throw error
}

/** Every line the filter wrote, and the host's own warnings and errors (a trap, a bad hostcall). */
function shownLogs(logs: readonly LogRecord[]): NonNullable<TestReport['logs']> {
  return logs.filter((l) => l.fromFilter || l.level === 'warn' || l.level === 'error' || l.level === 'fatal').map((l) => ({ level: l.level, message: l.message, fromFilter: l.fromFilter }))
}

/** Bodies appear as text in the JSON object; the raw byte arrays are left out. */
function jsonBytes(key: string, value: unknown): unknown {
  return key === 'bodyBytes' ? undefined : value
}

async function parseRequest(flags: TestFlags): Promise<CliRequest> {
  const body = await readArg(flags.body, '--body')
  const line = flags.request ?? '/'
  const parts = line.trim().split(/\s+/)
  const [first = '', second] = parts
  if (parts.length > 2 || first === '') throw usage(`--request must be "METHOD /path" (got ${line})`)
  let method = second === undefined ? (first.startsWith('/') || /^https?:/.test(first) ? undefined : first) : first
  let target = second ?? (method === undefined ? first : '/')
  method = (method ?? (body === undefined ? 'GET' : 'POST')).toUpperCase()
  let authority = 'localhost'
  let scheme: string | undefined
  if (/^https?:\/\//i.test(target)) {
    const url = new URL(target)
    authority = url.host
    scheme = url.protocol.slice(0, -1)
    target = `${url.pathname}${url.search}`
  }
  if (!target.startsWith('/') && target !== '*') throw usage(`--request path must start with / (got ${target})`)
  const headers: Array<[string, string]> = []
  for (const h of flags.header ?? []) {
    const [name, value] = parseHeader(h, '-H')
    // The proxy turns Host into :authority; a filter never sees a host header.
    if (name === 'host' || name === ':authority') authority = value
    else headers.push([name, value])
  }
  return {
    method,
    path: target,
    headers,
    authority,
    ...(scheme === undefined ? {} : { scheme }),
    ...(body === undefined ? {} : { body }),
  }
}

function describeRequest(req: CliRequest): TestReport['request'] {
  const body = req.body === undefined ? '' : typeof req.body === 'string' ? req.body : Buffer.from(req.body).toString('utf8')
  return { method: req.method, path: req.path, authority: req.authority, headers: req.headers, body }
}

function parseHeader(text: string, flag: string): [string, string] {
  // A pseudo-header (":authority: x") has its own leading colon.
  const colon = text.indexOf(':', text.startsWith(':') ? 1 : 0)
  const name = colon > 0 ? text.slice(0, colon).trim().toLowerCase() : ''
  if (name === '' || name === ':' || /\s/.test(name)) throw usage(`${flag} must be "name: value" (got ${text})`)
  return [name, text.slice(colon + 1).trim()]
}

/** TEXT, or @FILE for a file's contents (raw bytes are kept as they are). */
async function readArg(value: string | undefined, flag: string): Promise<string | Uint8Array | undefined> {
  if (value === undefined || !value.startsWith('@')) return value
  try {
    return new Uint8Array(await readFile(value.slice(1)))
  } catch (err) {
    throw usage(`cannot read ${flag} file ${value.slice(1)}: ${(err as Error).message}`)
  }
}

const usage = (message: string): WasmgateError => new WasmgateError('WG_ERR_CLI_USAGE', [message])
