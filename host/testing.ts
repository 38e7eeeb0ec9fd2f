/**
 * @module
 * `wasmgate/testing`: run a real .wasm filter in the real wasmgate host, in-process, without a
 * network. The filter is loaded by the same runtime the proxy uses (createFilterRuntime); the
 * harness plays the two sides the proxy would: the downstream/upstream of a request (a
 * StreamSink that records what the filter let through) and the cluster manager (an
 * HttpCallDispatcher that lets the test answer the filter's http calls).
 *
 *   const filter = await loadFilter(new URL('../build/my-filter.wasm', import.meta.url), { config: { ... } })
 *   const res = await filter.request({ path: '/hello', headers: { 'x-a': '1' } })
 *   expect(res.upstreamRequest?.headers['x-added']).toBe('yes')
 *   await filter.close()
 */
import { basename, dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import type { FilterConfig } from './config/schema.ts'
import { WasmgateError } from './errors.ts'
import type { HttpCallDispatcher, HttpCallResult } from './filter/contract.ts'
import { promMetricName } from './filter/filter-metrics.ts'
import { HeaderMap } from './filter/header-map.ts'
import { createFilterRuntime, type FilterRuntime, type FilterStatus } from './filter/runtime.ts'
import { headerPairs, runRequest, toBytes } from './testing/run-request.ts'
import { SharedDataStore } from './store/shared-data.ts'

export type { FilterStatus }

export type Headers = Record<string, string> | ReadonlyArray<readonly [string, string]>
export type Bytes = string | Uint8Array

export interface TestRequest {
  readonly method?: string
  readonly path?: string
  readonly authority?: string
  readonly scheme?: string
  readonly headers?: Headers
  readonly body?: Bytes
  readonly trailers?: Headers
}

/** What reached the upstream (after the filter), or what the client got back. */
export interface TestMessage {
  /** Lowercase names; repeated headers joined with ", ". */
  readonly headers: Record<string, string>
  readonly headerList: ReadonlyArray<readonly [string, string]>
  readonly body: string
  readonly bodyBytes: Uint8Array
  readonly trailers: Record<string, string>
}

export interface UpstreamReply {
  readonly status?: number
  readonly headers?: Headers
  readonly body?: Bytes
  readonly trailers?: Headers
}

export type UpstreamHandler = (request: TestMessage) => UpstreamReply | Promise<UpstreamReply>

export interface TestResponse extends TestMessage {
  readonly status: number
  /** What the upstream received; undefined when the filter answered or failed the request first. */
  readonly upstreamRequest: TestMessage | undefined
  /** Set when a filter answered the request itself (proxy_send_local_response). */
  readonly localReply: { readonly status: number; readonly details: string } | undefined
  /** Set when the host failed the request (a trapped filter under failurePolicy closed: 503). */
  readonly failure: { readonly code: string; readonly details: string } | undefined
  /** Set when a filter reset the stream (proxy_close_stream). */
  readonly reset: string | undefined
}

export type HttpCallReply = UpstreamReply | { readonly fail: 'timeout' | 'reset' | 'connect' | 'overflow' | 'no-healthy-endpoint' }

/** One http call a filter made. Answer it with respond() or fail() (or a cluster handler). */
export interface TestHttpCall {
  readonly cluster: string
  readonly method: string
  readonly path: string
  readonly authority: string
  readonly headers: Record<string, string>
  readonly body: string
  readonly timeoutMs: number
  readonly answered: boolean
  readonly cancelled: boolean
  respond(reply: UpstreamReply): void
  fail(reason: 'timeout' | 'reset' | 'connect' | 'overflow' | 'no-healthy-endpoint'): void
}

/** One value of a metric the filter defined (see TestFilter.filterMetrics()). */
export interface FilterMetricValue {
  /** The Prometheus name: `wasmcustom_<name>`, or with `_count`/`_sum` for a histogram. */
  readonly name: string
  /** counter | gauge | histogram */
  readonly type: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

export interface LogRecord {
  /** trace | debug | info | warn | error | fatal (a filter's critical) */
  readonly level: string
  readonly message: string
  /** True for lines the filter wrote (proxy_log, stdout/stderr); false for the host's own. */
  readonly fromFilter: boolean
  readonly record: Readonly<Record<string, unknown>>
}

export interface LoadFilterOptions {
  /** Plugin configuration: an object or array becomes JSON, a string is passed as it is. */
  readonly config?: unknown
  readonly vmConfig?: unknown
  readonly rootId?: string
  readonly vmId?: string
  /** Defaults to the file name without `.wasm`. */
  readonly name?: string
  readonly failurePolicy?: 'closed' | 'open' | 'reload'
  readonly env?: Record<string, string>
  /**
   * Clusters the filter may call. A function answers each call; `true` declares the cluster and
   * leaves calls pending until the test answers them (see nextHttpCall()).
   */
  readonly clusters?: Record<string, ((call: TestHttpCall) => HttpCallReply | Promise<HttpCallReply>) | true>
  /** Answers requests that get through the filter; default: 200 echoing the request body. */
  readonly upstream?: UpstreamHandler
}

const PINO_LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }

const echoUpstream: UpstreamHandler = (req) => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: req.bodyBytes })

export class TestFilter {
  readonly logs: LogRecord[] = []
  readonly httpCalls: TestHttpCall[] = []
  readonly #runtime: FilterRuntime
  readonly #name: string
  readonly #metrics: Registry
  readonly #sharedData: SharedDataStore
  readonly #vmId: string
  readonly #upstream: UpstreamHandler
  readonly #waiters = new Set<() => void>()

  /** @internal use loadFilter() */
  constructor(runtime: FilterRuntime, parts: { name: string; metrics: Registry; sharedData: SharedDataStore; vmId: string; upstream: UpstreamHandler; logs: LogRecord[]; calls: TestHttpCall[]; waiters: Set<() => void> }) {
    this.#runtime = runtime
    this.#name = parts.name
    this.#metrics = parts.metrics
    this.#sharedData = parts.sharedData
    this.#vmId = parts.vmId
    this.#upstream = parts.upstream
    this.logs = parts.logs
    this.httpCalls = parts.calls
    this.#waiters = parts.waiters
  }

  /** Sends one request through the filter, then the upstream's response back through it. */
  request(req: TestRequest = {}, options: { upstream?: UpstreamHandler } = {}): Promise<TestResponse> {
    return runRequest(this.#runtime, this.#name, req, options.upstream ?? this.#upstream)
  }

  /** The filter's log lines (proxy_log), optionally only those at `level`. */
  filterLogs(level?: string): string[] {
    return this.logs.filter((l) => l.fromFilter && (level === undefined || l.level === level)).map((l) => l.message)
  }

  /** Resolves when `predicate` holds, re-checked on every log line, call and after each event-loop turn. */
  async waitFor(predicate: () => boolean | Promise<boolean>, what = 'condition', timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!(await predicate())) {
      if (Date.now() > deadline) throw new Error(`wasmgate/testing: timed out after ${timeoutMs} ms waiting for ${what}`)
      await new Promise<void>((done) => {
        const wake = (): void => {
          this.#waiters.delete(wake)
          clearTimeout(timer)
          done()
        }
        const timer = setTimeout(wake, 10)
        this.#waiters.add(wake)
      })
    }
  }

  /** Waits for a log line from the filter matching `pattern`, and returns it. */
  async waitForLog(pattern: RegExp | string, timeoutMs = 5000): Promise<string> {
    const match = (m: string): boolean => (typeof pattern === 'string' ? m.includes(pattern) : pattern.test(m))
    let found: string | undefined
    await this.waitFor(() => (found = this.filterLogs().find(match)) !== undefined, `a filter log line matching ${String(pattern)}`, timeoutMs)
    return found as string
  }

  /** The next http call not yet answered (waits for one). */
  async nextHttpCall(timeoutMs = 5000): Promise<TestHttpCall> {
    let call: TestHttpCall | undefined
    await this.waitFor(() => (call = this.httpCalls.find((c) => !c.answered && !c.cancelled)) !== undefined, 'an http call from the filter', timeoutMs)
    return call as TestHttpCall
  }

  /** A counter's or gauge's value by the name the filter defined; undefined if it defined none. */
  async metric(name: string): Promise<number | undefined> {
    const m = this.#metrics.getSingleMetric(promMetricName(name))
    if (m === undefined) return undefined
    const values = (await m.get()).values as ReadonlyArray<{ value: number; metricName?: string }>
    return values.find((v) => v.metricName === undefined || !/_(bucket|sum|count)$/.test(v.metricName))?.value
  }

  /** A histogram's count and sum. */
  async histogram(name: string): Promise<{ count: number; sum: number } | undefined> {
    const m = this.#metrics.getSingleMetric(promMetricName(name))
    if (m === undefined) return undefined
    const values = (await m.get()).values as ReadonlyArray<{ value: number; metricName?: string }>
    const pick = (suffix: string): number => values.find((v) => v.metricName?.endsWith(suffix))?.value ?? 0
    return { count: pick('_count'), sum: pick('_sum') }
  }

  /**
   * Every metric the filter defined, as Prometheus names them (`wasmcustom_<name>`): one row per
   * counter or gauge (per label set), and `_count`/`_sum` rows for a histogram.
   */
  async filterMetrics(): Promise<FilterMetricValue[]> {
    const rows: FilterMetricValue[] = []
    for (const m of await this.#metrics.getMetricsAsJSON()) {
      if (!m.name.startsWith('wasmcustom_')) continue
      for (const v of m.values as ReadonlyArray<{ value: number; metricName?: string; labels: Record<string, string | number> }>) {
        const name = v.metricName ?? m.name
        if (name.endsWith('_bucket')) continue
        const labels = Object.fromEntries(Object.entries(v.labels).map(([k, l]) => [k, String(l)]))
        rows.push({ name, type: String(m.type), labels, value: v.value })
      }
    }
    return rows
  }

  /**
   * Runs the filter's on_tick once, now, with its deferred actions applied, instead of waiting
   * for its tick period (which restarts from here). Throws when no tick ran (the filter set no
   * period or exports no proxy_on_tick), and with `code` WG_ERR_FILTER_TRAPPED (or _DEADLINE)
   * when on_tick failed the instance.
   */
  tick(): void {
    const seen = this.logs.length
    if (this.#runtime.tickForTesting?.(this.#name) !== true) {
      throw new Error('wasmgate/testing: no tick ran: the filter set no tick period (setTickPeriod), exports no proxy_on_tick, or has failed')
    }
    const failed = this.logs.slice(seen).find((l) => !l.fromFilter && (l.record.code === 'WG_ERR_FILTER_TRAPPED' || l.record.code === 'WG_ERR_FILTER_DEADLINE'))
    if (failed !== undefined) {
      throw new WasmgateError(failed.record.code as 'WG_ERR_FILTER_TRAPPED', [], { message: failed.message })
    }
  }

  /** What the proxy's GET /filters shows for this filter: root id, sha256, ABI version, state, failures. */
  status(): FilterStatus {
    const row = this.#runtime.list?.().find((r) => r.name === this.#name)
    if (row === undefined) throw new Error(`wasmgate/testing: filter ${this.#name} is not loaded`)
    return row
  }

  /** Prometheus text of every metric (the filter's and the host's per-filter ones). */
  metricsText(): Promise<string> {
    return this.#metrics.metrics()
  }

  /** A shared-data value as UTF-8 (`sharedDataBytes` for bytes), with its cas. */
  sharedData(key: string): { value: string; cas: number } | undefined {
    const v = this.#sharedData.get(this.#vmId, key)
    return v === undefined ? undefined : { value: Buffer.from(v.value).toString('utf8'), cas: v.cas }
  }

  /** Sets shared data as another VM would (cas 0: always). */
  setSharedData(key: string, value: Bytes, cas = 0): void {
    this.#sharedData.set(this.#vmId, key, toBytes(value), cas)
  }

  async close(): Promise<void> {
    await this.#runtime.close()
  }
}

/**
 * Loads a .wasm (path or file URL) into the wasmgate host: compile, vm_start, configure. Rejects
 * like the proxy would (`err.code`, e.g. WG_ERR_FILTER_CONFIGURE_FAILED), with the filter's log
 * lines in `err.filterLogs` (and every record, the host's too, in `err.logs`).
 */
export async function loadFilter(wasm: string | URL, options: LoadFilterOptions = {}): Promise<TestFilter> {
  const file = wasm instanceof URL ? fileURLToPath(wasm) : resolve(wasm)
  const name = options.name ?? basename(file).replace(/\.wasm$/, '').replace(/[^A-Za-z0-9_.-]/g, '_')
  const logs: LogRecord[] = []
  const waiters = new Set<() => void>()
  const wake = (): void => {
    for (const w of [...waiters]) w()
  }
  const logger = pino({ level: 'trace' }, {
    write(line: string) {
      const record = JSON.parse(line) as Record<string, unknown>
      logs.push({ level: PINO_LEVELS[record.level as number] ?? String(record.level), message: String(record.msg ?? ''), fromFilter: record.source === 'guest', record })
      wake()
    },
  })
  const calls: TestHttpCall[] = []
  const clusters = options.clusters ?? {}
  const httpCalls: HttpCallDispatcher = {
    hasCluster: (cluster) => Object.hasOwn(clusters, cluster),
    call(cluster, headers, body, trailers, timeoutMs, done) {
      const call = makeCall(cluster, headers, body, timeoutMs, done, wake)
      void trailers
      calls.push(call)
      wake()
      const handler = clusters[cluster]
      if (typeof handler === 'function') {
        Promise.resolve()
          .then(() => handler(call))
          .then(
            (reply) => ('fail' in reply ? call.fail(reply.fail) : call.respond(reply)),
            () => call.fail('reset'),
          )
      }
      return () => {
        ;(call as { cancelled: boolean }).cancelled = true
      }
    },
  }
  const metrics = new Registry()
  const sharedData = new SharedDataStore()
  const config: Record<string, unknown> = { name, source: file, failurePolicy: options.failurePolicy ?? 'closed', pullPolicy: 'IfNotPresent', env: options.env ?? {} }
  for (const key of ['config', 'vmConfig', 'rootId', 'vmId'] as const) if (options[key] !== undefined) config[key] = options[key]
  let runtime: FilterRuntime
  try {
    runtime = await createFilterRuntime([config as FilterConfig], { logger, metrics, httpCalls, baseDir: dirname(file), sharedData })
  } catch (err) {
    // The filter's own log lines say why it refused (e.g. which config field is wrong).
    if (err instanceof Error) Object.assign(err, { filterLogs: logs.filter((l) => l.fromFilter).map((l) => l.message), logs })
    throw err
  }
  return new TestFilter(runtime, { name, metrics, sharedData, vmId: options.vmId ?? '', upstream: options.upstream ?? echoUpstream, logs, calls, waiters })
}

function makeCall(cluster: string, headers: HeaderMap, body: Uint8Array, timeoutMs: number, done: (r: HttpCallResult) => void, wake: () => void): TestHttpCall {
  const finish = (result: HttpCallResult): void => {
    if (call.answered || call.cancelled) return
    ;(call as { answered: boolean }).answered = true
    // Deliver from a fresh task, as a real upstream response would arrive.
    setImmediate(() => {
      done(result)
      wake()
    })
  }
  const call: TestHttpCall = {
    cluster,
    method: headers.get(':method') ?? '',
    path: headers.get(':path') ?? '',
    authority: headers.get(':authority') ?? '',
    headers: headers.toObject(),
    body: Buffer.from(body).toString('utf8'),
    timeoutMs,
    answered: false,
    cancelled: false,
    respond(reply) {
      finish({
        ok: true,
        headers: HeaderMap.fromPairs([[':status', String(reply.status ?? 200)], ...headerPairs(reply.headers)]),
        body: toBytes(reply.body),
        trailers: HeaderMap.fromPairs(headerPairs(reply.trailers)),
      })
    },
    fail(reason) {
      finish({ ok: false, reason })
    },
  }
  return call
}
