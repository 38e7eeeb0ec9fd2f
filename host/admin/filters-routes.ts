/**
 * @module
 * The admin routes for filters: `GET /filters` (every loaded filter with its source, sha256, ABI
 * version, loadedAt, generation, state and last error), `GET /filters/NAME`, and
 * `PUT /filters/NAME`, which loads or replaces a filter without dropping a request. The PUT body
 * is either the `.wasm` itself (config and the rest kept; `?config=JSON` replaces the config) or
 * JSON `{ source, sha256?, config?, ... }` with any field of a config file's filter entry.
 * A refusal answers 4xx `{code, message}` and leaves the running filter serving.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { WasmgateError, isWasmgateError } from '../errors.ts'
import type { FilterConfig } from '../config/schema.ts'
import { refusalStatus, type ReloadManager } from '../filter/reload-manager.ts'
import { readBody, sendJson, type AdminParams, type AdminRouter } from './server.ts'

/** 100 MiB: far above any real filter, small enough that a runaway upload cannot exhaust memory. */
const MAX_PUT_BYTES = 100 * 1024 * 1024
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d]

export function registerFilterRoutes(router: AdminRouter, reloads: ReloadManager): void {
  router.addRoute('GET', '/filters', (_req, res) => sendJson(res, 200, { filters: reloads.list() }))

  router.addRoute('GET', '/filters/*', (_req, res, { rest }) => {
    const row = reloads.get(rest)
    if (row === undefined) throw new WasmgateError('WG_ERR_FILTER_NOT_FOUND', [rest])
    sendJson(res, 200, row)
  })

  router.addRoute('PUT', '/filters/*', (req, res, params) => putFilter(req, res, params, reloads))
}

async function putFilter(req: IncomingMessage, res: ServerResponse, { rest: name, query }: AdminParams, reloads: ReloadManager): Promise<void> {
  try {
    if (name === '' || name.includes('/')) throw new WasmgateError('WG_ERR_ADMIN_BAD_REQUEST', [`PUT /filters/NAME needs one filter name (got ${JSON.stringify(name)})`])
    const body = await readBody(req, MAX_PUT_BYTES)
    const current = reloads.configOf(name)
    const { definition, bytes } = parsePut(name, body, req.headers['content-type'], query, current)
    const outcome = await reloads.load(definition, 'admin', bytes)
    sendJson(res, 200, { ...outcome.filter, reloadMs: Math.round(outcome.durationMs * 100) / 100 })
  } catch (err) {
    if (!isWasmgateError(err)) throw err
    sendJson(res, refusalStatus(err), { code: err.code, message: err.message, hint: err.hint, ...(err.details === undefined ? {} : { details: err.details }) })
  }
}

interface PutRequest {
  readonly definition: Record<string, unknown>
  readonly bytes: Uint8Array | undefined
}

/** A body that starts with the Wasm magic, or is sent as application/wasm or octet-stream, is a module. */
function parsePut(name: string, body: Buffer, contentType: string | undefined, query: URLSearchParams, current: FilterConfig | undefined): PutRequest {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  const isModule = type === 'application/wasm' || type === 'application/octet-stream' || WASM_MAGIC.every((b, i) => body[i] === b)
  if (isModule) {
    const config = query.get('config')
    const base: Record<string, unknown> = current === undefined ? { name } : { ...current }
    // The bytes replace whatever the source pointed at, and the old module's digest no longer applies.
    delete base.sha256
    base.source = `upload:${name}`
    if (config !== null) base.config = parseJson(config, '?config')
    return { definition: base, bytes: body }
  }
  if (type !== '' && type !== 'application/json' && !type.endsWith('+json')) {
    throw new WasmgateError('WG_ERR_ADMIN_BAD_REQUEST', [`content-type ${type}: send a .wasm (application/wasm) or JSON {source, sha256?, config?}`])
  }
  const json = parseJson(body.toString('utf8'), 'body')
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new WasmgateError('WG_ERR_ADMIN_BAD_REQUEST', ['the JSON body must be an object {source, sha256?, config?}'])
  }
  const fields = json as Record<string, unknown>
  if (fields.name !== undefined && fields.name !== name) {
    throw new WasmgateError('WG_ERR_ADMIN_BAD_REQUEST', [`body names filter ${JSON.stringify(fields.name)} but the path names ${name}`])
  }
  if (fields.source === undefined) throw new WasmgateError('WG_ERR_ADMIN_BAD_REQUEST', ['the JSON body needs a source (a path, oci://REF or https://URL with sha256)'])
  // Fields not given keep their current value, except the digest, which belongs to the old source.
  const base: Record<string, unknown> = current === undefined ? {} : { ...current }
  if (fields.source !== base.source) delete base.sha256
  return { definition: { ...base, ...fields, name }, bytes: undefined }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new WasmgateError('WG_ERR_ADMIN_BAD_REQUEST', [`${what} is not valid JSON: ${(err as Error).message}`])
  }
}
