/**
 * @module
 * What `wasmgate test` found, as one object (printed whole with --json) and as text for a person:
 * the filter, the request as the upstream saw it, the response as the client saw it, the log
 * lines and the metrics the filter defined.
 */
import type { FilterMetricValue, FilterStatus, TestMessage, TestResponse } from '../testing.ts'

export interface TestReport {
  /** True when the filter loaded and the request completed (any status, a local reply or a reset). */
  ok: boolean
  readonly file: string
  /** The synthetic request sent to the filter. */
  readonly request: { readonly method: string; readonly path: string; readonly authority: string; readonly headers: ReadonlyArray<readonly [string, string]>; readonly body: string }
  filter?: FilterStatus
  /** Undefined when the filter failed to load or the request never completed. */
  response?: TestResponse
  logs?: Array<{ readonly level: string; readonly message: string; readonly fromFilter: boolean }>
  metrics?: FilterMetricValue[]
  error?: { readonly code: string | null; readonly message: string; readonly hint: string | null }
}

const INDENT = '  '

export function formatTestReport(r: TestReport): string {
  const out: string[] = []
  const f = r.filter
  out.push(f === undefined ? `filter:     ${r.file}` : `filter:     ${f.name} (root id ${f.rootId}, ABI ${f.abiVersion}, sha256 ${f.sha256.slice(0, 12)}…)`)
  out.push(`load:       ${f !== undefined ? 'ok (compiled, vm_start, configure)' : `failed${r.error?.code ? ` (${r.error.code})` : ''}`}`)
  if (f !== undefined) {
    out.push('', `request (sent to the filter):`, `${INDENT}${r.request.method} ${r.request.path}`, `${INDENT}:authority: ${r.request.authority}`, ...r.request.headers.map(([k, v]) => `${INDENT}${k}: ${v}`), ...bodyLines(r.request.body))
  }
  const res = r.response
  if (res !== undefined) {
    out.push('', 'upstream request (after the filter):')
    if (res.upstreamRequest === undefined) out.push(`${INDENT}(none: the request never reached the upstream)`)
    else out.push(...messageLines(res.upstreamRequest))
    out.push('', `response (what the client gets):`)
    if (res.reset !== undefined) out.push(`${INDENT}(the filter reset the stream: ${res.reset})`)
    else out.push(...messageLines(res))
    out.push('', `outcome:    ${outcome(res)}`)
  }
  if (r.logs !== undefined && r.logs.length > 0) {
    out.push('', 'log:', ...r.logs.map((l) => `${INDENT}${l.fromFilter ? 'filter' : 'host  '} ${l.level.padEnd(5)} ${l.message}`))
  }
  if (r.metrics !== undefined && r.metrics.length > 0) {
    out.push('', 'metrics:', ...r.metrics.map((m) => `${INDENT}${m.name}${labelText(m.labels)} ${m.value} (${m.type})`))
  }
  return `${out.join('\n')}\n`
}

function outcome(res: TestResponse): string {
  if (res.failure !== undefined) return `${res.status}: the host failed the request (${res.failure.code})`
  if (res.reset !== undefined) return 'the filter reset the stream'
  if (res.localReply !== undefined) return `${res.status}: local reply from the filter${res.localReply.details ? ` (${res.localReply.details})` : ''}`
  return `${res.status} from the upstream`
}

function messageLines(m: TestMessage): string[] {
  const lines = m.headerList.map(([k, v]) => `${INDENT}${k}: ${v}`)
  lines.push(...bodyLines(m.body))
  for (const [k, v] of Object.entries(m.trailers)) lines.push(`${INDENT}trailer ${k}: ${v}`)
  return lines
}

function bodyLines(body: string): string[] {
  if (body === '') return [`${INDENT}(no body)`]
  return ['', ...body.split('\n').map((l) => `${INDENT}${l}`)]
}

function labelText(labels: Readonly<Record<string, string>>): string {
  const entries = Object.entries(labels)
  return entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${v}"`).join(',')}}`
}
