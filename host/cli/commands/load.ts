/**
 * @module
 * `wasmgate load NAME SOURCE [--admin URL] [--sha256 HEX] [--config JSON] [--upload]`: hot-load
 * a filter into a running proxy through its admin API (PUT /filters/NAME). SOURCE is a path,
 * `oci://REF` or `https://URL` (with --sha256); the proxy fetches it, starts it on a canary and
 * swaps it in, or refuses it and keeps the running filter. A path is sent as an absolute path
 * (the proxy reads it, so `reload.watchFilters` can follow it); --upload sends the bytes instead,
 * for a proxy on another machine. A refusal prints its code and exits 1.
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { request } from 'undici'
import { WasmgateError, errorCodes, type ErrorCode } from '../../errors.ts'

interface LoadFlags {
  readonly admin: string
  readonly sha256?: string
  readonly config?: string
  readonly upload?: boolean
  readonly json?: boolean
}

const DEFAULT_ADMIN = 'http://127.0.0.1:9901'

export function registerLoad(program: Command): void {
  program
    .command('load')
    .description('hot-load or replace a filter in a running proxy (canary first; a refusal keeps the running filter)')
    .argument('<name>', 'the filter name (a new name adds the filter)')
    .argument('<source>', 'a .wasm path, oci://REGISTRY/REPO:TAG, or https://URL (with --sha256)')
    .option('--admin <url>', 'the proxy\'s admin API', process.env.WASMGATE_ADMIN ?? DEFAULT_ADMIN)
    .option('--sha256 <hex>', 'expected sha256 of the module (required for https://)')
    .option('--config <json>', 'the filter configuration, as JSON (default: keep the current one)')
    .option('--upload', 'send the .wasm bytes instead of its path')
    .option('--json', 'print the result as one JSON object')
    .action((name: string, source: string, flags: LoadFlags) => load(name, source, flags))
}

async function load(name: string, source: string, flags: LoadFlags): Promise<void> {
  const config = flags.config === undefined ? undefined : parseConfig(flags.config)
  const isRemote = source.includes('://')
  const url = `${flags.admin.replace(/\/+$/, '')}/filters/${encodeURIComponent(name)}`
  let body: string | Buffer
  let contentType: string
  let query = ''
  if (flags.upload === true && !isRemote) {
    body = await readModule(source)
    contentType = 'application/wasm'
    if (config !== undefined) query = `?config=${encodeURIComponent(JSON.stringify(config))}`
  } else {
    const fields: Record<string, unknown> = { source: isRemote ? source : resolve(source) }
    if (flags.sha256 !== undefined) fields.sha256 = flags.sha256
    if (config !== undefined) fields.config = config
    body = JSON.stringify(fields)
    contentType = 'application/json'
  }
  let status: number
  let answer: Record<string, unknown>
  try {
    const res = await request(url + query, { method: 'PUT', headers: { 'content-type': contentType }, body })
    status = res.statusCode
    answer = (await res.body.json()) as Record<string, unknown>
  } catch (err) {
    throw new WasmgateError('WG_ERR_ADMIN_UNREACHABLE', [flags.admin, (err as Error).message], { cause: err })
  }
  if (status !== 200) {
    const code = typeof answer.code === 'string' && answer.code in errorCodes ? (answer.code as ErrorCode) : 'WG_ERR_ADMIN_INTERNAL'
    throw new WasmgateError(code, [], { message: `${String(answer.message ?? `HTTP ${status}`)} (HTTP ${status}; the running filter keeps serving)`, details: answer })
  }
  if (flags.json === true) {
    process.stdout.write(`${JSON.stringify(answer)}\n`)
    return
  }
  const lines = [
    `loaded ${String(answer.name)} (generation ${String(answer.generation)}) in ${String(answer.reloadMs)} ms`,
    `source:       ${String(answer.source)}`,
    `sha256:       ${String(answer.sha256)}`,
    `ABI version:  ${String(answer.abiVersion)}`,
    `state:        ${String(answer.state)}`,
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
}

function parseConfig(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new WasmgateError('WG_ERR_CLI_USAGE', [`--config must be JSON: ${(err as Error).message}`])
  }
}

async function readModule(path: string): Promise<Buffer> {
  try {
    return await readFile(path)
  } catch (err) {
    throw new WasmgateError('WG_ERR_WASM_SOURCE', [path, (err as Error).message], { cause: err })
  }
}
