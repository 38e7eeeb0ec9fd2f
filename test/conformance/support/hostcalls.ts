/**
 * @module
 * Drives the `hostcalls` conformance filter (test/fixtures/filters/hostcalls) through the real
 * gateway: starts an upstream and a gateway with the filter on every route, sends requests whose
 * `x-test-*` headers choose a host call, and reads back what the filter reported (response
 * headers `x-hc-<n>` or its log lines). Nothing here emulates the host.
 */
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { startGateway } from '../../helpers/gateway.ts'
import { startUpstream } from '../../helpers/upstream.ts'

export const HOSTCALLS_WASM = fileURLToPath(new URL('../../fixtures/filters/hostcalls/build/hostcalls.wasm', import.meta.url))

// ABI numbers, written out here on purpose (tests state the spec, they do not import the host's).
export const Status = {
  Ok: 0, NotFound: 1, BadArgument: 2, SerializationFailure: 3, ParseFailure: 4, InvalidMemoryAccess: 6,
  Empty: 7, CasMismatch: 8, InternalFailure: 10, BrokenConnection: 11, Unimplemented: 12,
} as const
export const MapType = { RequestHeaders: 0, RequestTrailers: 1, ResponseHeaders: 2, ResponseTrailers: 3, HttpCallResponseHeaders: 6, HttpCallResponseTrailers: 7 } as const
export const BufferType = { RequestBody: 0, ResponseBody: 1, HttpCallResponseBody: 4, VmConfiguration: 6, PluginConfiguration: 7, ForeignFunctionArguments: 8 } as const
/** A pointer no guest memory reaches (wasm32, top of the address space). */
export const OOB_PTR = 0xfffffff0
/** A length that overflows any pointer it is added to. */
export const HUGE_LEN = 0xffffffff

export type Gateway = Awaited<ReturnType<typeof startGateway>>
export type Upstream = Awaited<ReturnType<typeof startUpstream>>

export interface HostcallsOptions {
  config?: string
  vmConfig?: string
  failurePolicy?: 'closed' | 'open' | 'reload'
  logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error'
  /** Extra filters (full FilterConfig objects) and the route's filter list, for chains. */
  extraFilters?: Record<string, unknown>[]
  routeFilters?: string[]
  vmId?: string
  rootId?: string
  env?: Record<string, string>
  name?: string
  source?: string
  upstreamHandler?: Parameters<typeof startUpstream>[0]
  extraClusters?: Record<string, unknown>[]
  limits?: Record<string, number>
}

export interface Harness {
  gw: Gateway
  upstream: Upstream
}

/** Gateway + echo upstream with the hostcalls filter on `/`; clusters `backend` and `callout`. */
export async function startHostcalls(opts: HostcallsOptions = {}): Promise<Harness> {
  const upstream = await startUpstream(opts.upstreamHandler)
  const name = opts.name ?? 'hostcalls'
  const filter: Record<string, unknown> = { name, source: opts.source ?? HOSTCALLS_WASM, failurePolicy: opts.failurePolicy ?? 'closed' }
  if (opts.config !== undefined) filter.config = opts.config
  if (opts.vmConfig !== undefined) filter.vmConfig = opts.vmConfig
  if (opts.vmId !== undefined) filter.vmId = opts.vmId
  if (opts.rootId !== undefined) filter.rootId = opts.rootId
  if (opts.env !== undefined) filter.env = opts.env
  const gw = await startGateway(
    {
    ...(opts.logLevel ? { log: { level: opts.logLevel } } : {}),
    ...(opts.limits ? { limits: opts.limits } : {}),
    clusters: [
      { name: 'backend', endpoints: [upstream.url] },
      { name: 'callout', endpoints: [upstream.url] },
      ...(opts.extraClusters ?? []),
    ],
    filters: [filter, ...(opts.extraFilters ?? [])],
    routes: [{ name: 'all', match: { prefix: '/' }, cluster: 'backend', filters: opts.routeFilters ?? [name] }],
    },
    opts.logLevel ? { logLevel: opts.logLevel } : {},
  )
  return { gw, upstream }
}

export interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  json<T = any>(): T
  header(name: string): string | undefined
}

export async function send(
  gw: { url: string },
  opts: { path?: string; method?: string | undefined; headers?: Record<string, string>; body?: string | Buffer | AsyncIterable<Buffer> | undefined } = {},
): Promise<Reply> {
  const res = await request(gw.url + (opts.path ?? '/'), {
    method: (opts.method ?? (opts.body === undefined ? 'GET' : 'POST')) as 'GET',
    headers: opts.headers ?? {},
    ...(opts.body === undefined ? {} : { body: opts.body as string }),
    // A host bug that leaves a request hanging fails the test in 15 s with undici's
    // HeadersTimeoutError instead of the 60 s test timeout.
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
  })
  const text = await res.body.text()
  const headers = res.headers as Record<string, string | string[] | undefined>
  return {
    status: res.statusCode,
    headers,
    text,
    json: () => JSON.parse(text),
    header: (n) => {
      const v = headers[n.toLowerCase()]
      return Array.isArray(v) ? v[0] : v
    },
  }
}

/** Percent-encodes every byte except [A-Za-z0-9_.-] (the filter decodes %XX). */
export function pct(v: string | Uint8Array): string {
  const bytes = typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v)
  let s = ''
  for (const b of bytes) {
    const c = String.fromCharCode(b)
    s += /[A-Za-z0-9_.\-:/]/.test(c) ? c : '%' + b.toString(16).padStart(2, '0')
  }
  return s
}

/** A property path as Envoy takes it: segments joined by NUL. */
export function propPath(...segments: string[]): string {
  return pct(segments.join('\0'))
}

/** "k=v&k2=v2" for the filter's pairs inputs (each side percent-encoded). */
export function pairsSpec(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&')
}

/** Serializes pairs exactly as the spec says (for raw `_hex` inputs and for decoding checks). */
export function encodePairs(pairs: ReadonlyArray<readonly [string, string]>): Buffer {
  const parts: Buffer[] = []
  const head = Buffer.alloc(4 + 8 * pairs.length)
  head.writeUInt32LE(pairs.length, 0)
  pairs.forEach(([k, v], i) => {
    head.writeUInt32LE(Buffer.byteLength(k), 4 + 8 * i)
    head.writeUInt32LE(Buffer.byteLength(v), 8 + 8 * i)
    parts.push(Buffer.from(k), Buffer.from([0]), Buffer.from(v), Buffer.from([0]))
  })
  return Buffer.concat([head, ...parts])
}

export function decodePairs(buf: Buffer): Array<[string, string]> {
  if (buf.length === 0) return []
  const n = buf.readUInt32LE(0)
  const out: Array<[string, string]> = []
  let off = 4 + 8 * n
  for (let i = 0; i < n; i++) {
    const ks = buf.readUInt32LE(4 + 8 * i)
    const vs = buf.readUInt32LE(8 + 8 * i)
    const k = buf.subarray(off, off + ks).toString('utf8')
    off += ks + 1
    const v = buf.subarray(off, off + vs).toString('utf8')
    off += vs + 1
    out.push([k, v])
  }
  if (off !== buf.length) throw new Error(`pairs: ${buf.length - off} trailing bytes`)
  return out
}

let tagCounter = 0
export function newTag(prefix = 't'): string {
  tagCounter += 1
  return `${prefix}${process.pid}x${tagCounter}`
}

export interface CallSpec {
  call: string
  on?: string
  [input: string]: string | number | undefined
}

/** Request headers for up to four host calls in one request (spec n uses `x-test{n}-`). */
export function callHeaders(...specs: CallSpec[]): Record<string, string> {
  const h: Record<string, string> = {}
  specs.forEach((spec, i) => {
    const pre = i === 0 ? 'x-test-' : `x-test${i + 1}-`
    for (const [k, v] of Object.entries(spec)) if (v !== undefined) h[pre + k] = String(v)
  })
  return h
}

export interface CallReport {
  status: number
  u32?: number
  u32b?: number
  u64?: bigint
  size?: number
  ptr0?: boolean
  badptr?: boolean
  returned?: boolean
  bytes?: Buffer
  text?: string
  raw: string
}

export function parseReport(raw: string): CallReport {
  const out: CallReport = { status: NaN, raw }
  for (const tok of raw.trim().split(/\s+/)) {
    const eq = tok.indexOf('=')
    if (eq < 0) continue
    const k = tok.slice(0, eq)
    const v = tok.slice(eq + 1)
    if (k === 'status') out.status = Number(v)
    else if (k === 'u32') out.u32 = Number(v)
    else if (k === 'u32b') out.u32b = Number(v)
    else if (k === 'u64') out.u64 = BigInt(v)
    else if (k === 'size') out.size = Number(v)
    else if (k === 'ptr0') out.ptr0 = v === '1'
    else if (k === 'badptr') out.badptr = v === '1'
    else if (k === 'returned') out.returned = v === '1'
    else if (k === 'hex') {
      out.bytes = Buffer.from(v, 'hex')
      out.text = out.bytes.toString('utf8')
    }
  }
  return out
}

/** The report of spec n from the response headers (`prefix` for a plugin configured `hdr=<p>`). */
export function report(res: Reply, n: number | string = 1, prefix = 'x-hc-'): CallReport {
  const raw = res.header(`${prefix}${n}`)
  if (raw === undefined) throw new Error(`no ${prefix}${n} header in the response (status ${res.status}): ${res.text.slice(0, 300)}`)
  return parseReport(raw)
}

/** Request headers for a plugin configured with `hdr=<prefix>` (spec n uses `<prefix>{n}-`). */
export function callHeadersFor(prefix: string, ...specs: CallSpec[]): Record<string, string> {
  const h: Record<string, string> = {}
  specs.forEach((spec, i) => {
    const pre = i === 0 ? `${prefix}-` : `${prefix}${i + 1}-`
    for (const [k, v] of Object.entries(spec)) if (v !== undefined) h[pre + k] = String(v)
  })
  return h
}

// ---- logs ----

/** Every string in a log record (any field), so tests do not depend on the host's field names. */
function strings(rec: unknown, out: string[] = []): string[] {
  if (typeof rec === 'string') out.push(rec)
  else if (rec && typeof rec === 'object') for (const v of Object.values(rec)) strings(v, out)
  return out
}

export function logLines(gw: Gateway, needle: string): string[] {
  const found: string[] = []
  for (const rec of gw.logs as unknown[]) for (const s of strings(rec)) if (s.includes(needle)) found.push(s)
  return found
}

export function logRecords(gw: Gateway, needle: string): Record<string, unknown>[] {
  return (gw.logs as Record<string, unknown>[]).filter((rec) => strings(rec).some((s) => s.includes(needle)))
}

/** Polls (with a deadline) until `probe` returns (or resolves to) a value. */
export async function eventually<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, deadlineMs = 15_000): Promise<T> {
  const end = Date.now() + deadlineMs
  for (;;) {
    const v = await probe()
    if (v !== undefined && v !== false) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

export async function waitLine(gw: Gateway, needle: string): Promise<string> {
  return eventually(() => logLines(gw, needle)[0], `a log line containing ${JSON.stringify(needle)}`)
}

/** The filter's log report for (tag, n), e.g. from a step after response headers left. */
export async function logReport(gw: Gateway, tag: string, n: number | string = 1, step?: string): Promise<CallReport> {
  const needle = `hc tag=${tag} n=${n} ` + (step ? `step=${step} ` : '')
  const line = await waitLine(gw, needle)
  return parseReport(line.slice(line.indexOf(' call=') + 1).replace(/^call=\S+\s*/, ''))
}

/** Statuses the probe logged for (tag, step): id -> status. */
export async function probeResults(gw: Gateway, tag: string, step: string, expectedCount: number): Promise<Map<string, number>> {
  const needle = `probe tag=${tag} step=${step} `
  const lines = await eventually(() => {
    const l = logLines(gw, needle)
    return l.length >= expectedCount ? l : undefined
  }, `${expectedCount} probe lines for ${tag}/${step}`)
  const m = new Map<string, number>()
  for (const l of lines) {
    const id = /id=(\S+)/.exec(l)?.[1]
    const st = /status=(\d+)/.exec(l)?.[1]
    if (id && st) m.set(id, Number(st))
  }
  return m
}

/** Callback log lines ("cb <name> ctx=...") of one request tag, in order. */
export function callbackLines(gw: Gateway, tag: string): string[] {
  return logLines(gw, 'cb ').filter((l) => l.startsWith('cb ') && l.endsWith(` tag=${tag}`))
}

/** Scrapes the admin Prometheus text. */
export async function promText(gw: { adminUrl: string }): Promise<string> {
  const res = await request(gw.adminUrl + '/stats/prometheus')
  return res.body.text()
}

/** A fresh request succeeds through the filter (the proxy stayed up and serves). */
export async function expectHealthy(gw: Gateway, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await send(gw, { path: '/healthy', headers })
  if (res.status !== 200) throw new Error(`follow-up request got ${res.status}: ${res.text.slice(0, 300)}`)
  return res
}

/**
 * Runs `spec` once per (argument index, raw value) with that argument replaced, and expects
 * InvalidMemoryAccess each time with the request itself still answered by the upstream; then
 * checks a clean request still works. The spec's own step must be one whose reports reach the
 * response headers (request_headers by default).
 */
export async function expectEachOob(
  gw: Gateway,
  spec: CallSpec,
  cases: ReadonlyArray<readonly [argIndex: number, value: number]>,
  expected: number = Status.InvalidMemoryAccess,
): Promise<void> {
  for (const [i, v] of cases) {
    const res = await send(gw, { headers: callHeaders({ ...spec, [`arg${i}`]: v }) })
    if (res.status !== 200) throw new Error(`${spec.call} with arg${i}=${v}: request got ${res.status}: ${res.text.slice(0, 200)}`)
    const r = report(res)
    if (r.status !== expected) throw new Error(`${spec.call} with arg${i}=${v}: status ${r.status}, expected ${expected}`)
  }
  await expectHealthy(gw)
}

/** Runs `spec` with the guest allocator returning 0, then garbage; both must fail cleanly. */
export async function expectAllocatorFailuresHandled(gw: Gateway, spec: CallSpec): Promise<void> {
  for (const mode of ['zero', 'garbage']) {
    const res = await send(gw, { headers: callHeaders({ ...spec, malloc: mode }) })
    if (res.status !== 200) throw new Error(`${spec.call} with malloc=${mode}: request got ${res.status}`)
    const r = report(res)
    if (r.status !== Status.InvalidMemoryAccess) throw new Error(`${spec.call} with malloc=${mode}: status ${r.status}, expected InvalidMemoryAccess`)
  }
  await expectHealthy(gw)
}
