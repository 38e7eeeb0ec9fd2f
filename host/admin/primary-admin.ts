/**
 * @module
 * The admin port under `serve --workers N`. The primary owns it; each worker runs its own admin
 * server on a private loopback port it reports to the primary. The primary then:
 * - answers `GET /ready` itself (200 once every worker reported, 503 while starting or stopping);
 * - merges `GET /stats/prometheus` from every worker, each sample labelled `worker="PID"`;
 * - sends any other GET/HEAD (/live, /filters, /config_dump, /clusters) to one worker, in turn;
 * - sends every other method (PUT /filters/NAME) to every worker with the body buffered once
 *   (at most maxBodyBytes, else 413), and answers the first worker's 2xx only if all succeeded;
 *   otherwise the first refusal's `{code, message}` plus `workers`: each worker's pid and status;
 * - remembers the last accepted change per path (method, query, body) and replays those, in
 *   order, to a worker that joins later (a restarted one) before it joins the broadcasts. Changes
 *   and replays run one at a time, so a worker cannot miss a change made while it joined.
 * Without this, the shared port would hand an admin request to one worker only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import { request } from 'undici'
import { WasmgateError, isWasmgateError } from '../errors.ts'
import { mergePrometheus } from './merge-prometheus.ts'
import { sendJson } from './server.ts'

export interface WorkerAdmin {
  readonly pid: number
  /** `http://127.0.0.1:PORT` of the worker's private admin server. */
  readonly url: string
}

export interface PrimaryAdminOptions {
  readonly logger: Logger
  /** The workers that reported their admin server, in a stable order. */
  readonly workers: () => readonly WorkerAdmin[]
  /** How many workers there should be (for /ready). */
  readonly expectedWorkers: number
  readonly maxBodyBytes: number
}

/** An accepted admin change, as the primary replays it. */
interface AdminChange {
  readonly method: string
  readonly target: string
  readonly contentType: string | undefined
  readonly body: Buffer
}

interface WorkerReply {
  readonly pid: number
  readonly status: number
  readonly contentType: string
  readonly body: Buffer
}

/** 64 MiB: far above a real filter; bounds what the primary buffers for a broadcast. */
export const defaultMaxAdminBodyBytes = 64 * 1024 * 1024
const readTimeoutMs = 30_000
/** A PUT may pull from a registry and compile; give it the time a single-process PUT has. */
const writeTimeoutMs = 300_000

export class PrimaryAdmin {
  readonly #options: PrimaryAdminOptions
  readonly #server: Server
  #next = 0
  #stopping = false
  /** The last accepted change per `METHOD path`, in the order first made. */
  readonly #changes = new Map<string, AdminChange>()
  /** Changes and replays, one at a time. */
  #writes: Promise<void> = Promise.resolve()

  constructor(options: PrimaryAdminOptions) {
    this.#options = options
    this.#server = createServer((req, res) => void this.#handle(req, res).catch((err: unknown) => this.#fail(res, err)))
    this.#server.keepAliveTimeout = 5_000
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(new WasmgateError('WG_ERR_SERVER_LISTEN', [`${host}:${port}`, err.message], { cause: err }))
      this.#server.once('error', onError)
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError)
        resolve((this.#server.address() as AddressInfo).port)
      })
    })
  }

  /**
   * Replays the remembered changes to a worker that just reported its admin server, then calls
   * `joined` (which makes it part of `workers()`) before the next change can start.
   */
  replayTo(worker: WorkerAdmin, joined: () => void): void {
    this.#serialize(async () => {
      for (const change of this.#changes.values()) {
        const reply = await forward(worker, change.method, change.target, change.contentType, change.body, writeTimeoutMs).catch((err: unknown) => workerFailure(worker, err))
        if (reply.status < 200 || reply.status >= 300) {
          this.#options.logger.error({ pid: worker.pid, method: change.method, target: change.target, status: reply.status, reply: reply.body.toString('utf8').slice(0, 500) }, 'a new worker refused an earlier admin change; it runs without it')
        }
      }
      if (this.#changes.size > 0) this.#options.logger.info({ pid: worker.pid, changes: this.#changes.size }, 'earlier admin changes replayed to a new worker')
      joined()
    })
  }

  /** After a config reload every worker is back on the file: nothing to replay any more. */
  forgetChanges(): void {
    this.#changes.clear()
  }

  #serialize(task: () => Promise<void>): Promise<void> {
    const run = this.#writes.then(task)
    this.#writes = run.catch(() => undefined)
    return run
  }

  close(): Promise<void> {
    this.#stopping = true
    return new Promise((resolve) => {
      this.#server.close(() => resolve())
      this.#server.closeAllConnections()
    })
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/'
    const path = new URL(target, 'http://admin').pathname
    const method = req.method ?? 'GET'
    const workers = this.#options.workers()
    if (path === '/ready' && (method === 'GET' || method === 'HEAD')) {
      const ready = !this.#stopping && workers.length >= this.#options.expectedWorkers
      sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', workers: workers.length, expectedWorkers: this.#options.expectedWorkers })
      return
    }
    if (workers.length === 0) throw new WasmgateError('WG_ERR_ADMIN_NO_WORKERS', [])
    if (method === 'GET' || method === 'HEAD') {
      if (path === '/stats/prometheus') return this.#stats(res, workers, target)
      const worker = workers[this.#next++ % workers.length] as WorkerAdmin
      return send(res, await forward(worker, method, target, req.headers['content-type'], undefined, readTimeoutMs))
    }
    const body = await readBounded(req, this.#options.maxBodyBytes)
    const contentType = req.headers['content-type']
    return this.#serialize(() => this.#broadcast(res, { method, target, contentType, body }, path))
  }

  async #broadcast(res: ServerResponse, change: AdminChange, path: string): Promise<void> {
    const { method, target, contentType, body } = change
    const workers = this.#options.workers()
    if (workers.length === 0) throw new WasmgateError('WG_ERR_ADMIN_NO_WORKERS', [])
    const replies = await Promise.all(workers.map((w) => forward(w, method, target, contentType, body, writeTimeoutMs).catch((err: unknown) => workerFailure(w, err))))
    const refused = replies.filter((r) => r.status < 200 || r.status >= 300)
    // A worker that joins later gets what at least one worker runs now.
    if (refused.length < replies.length) {
      const key = `${method} ${path}`
      this.#changes.delete(key)
      this.#changes.set(key, change)
    }
    if (refused.length === 0) return send(res, replies[0] as WorkerReply)
    const first = refused[0] as WorkerReply
    if (refused.length < replies.length) {
      this.#options.logger.error({ method, path, refusedBy: refused.map((r) => r.pid), acceptedBy: replies.filter((r) => !refused.includes(r)).map((r) => r.pid) }, 'admin change applied by some workers only')
    }
    let json: Record<string, unknown>
    try {
      json = JSON.parse(first.body.toString('utf8')) as Record<string, unknown>
    } catch {
      json = { code: 'WG_ERR_ADMIN_INTERNAL', message: first.body.toString('utf8') }
    }
    sendJson(res, first.status, { ...json, refusedBy: refused.map((r) => r.pid), workers: replies.map((r) => ({ pid: r.pid, status: r.status })) })
  }

  async #stats(res: ServerResponse, workers: readonly WorkerAdmin[], target: string): Promise<void> {
    const replies = await Promise.all(workers.map((w) => forward(w, 'GET', target, undefined, undefined, readTimeoutMs).catch((err: unknown) => workerFailure(w, err))))
    const failed = replies.find((r) => r.status !== 200)
    if (failed !== undefined) return send(res, failed)
    const text = mergePrometheus(replies.map((r) => ({ worker: String(r.pid), text: r.body.toString('utf8') })))
    res.writeHead(200, { 'content-type': (replies[0] as WorkerReply).contentType, 'content-length': Buffer.byteLength(text) })
    res.end(text)
  }

  #fail(res: ServerResponse, err: unknown): void {
    if (res.headersSent) {
      res.destroy()
      return
    }
    if (isWasmgateError(err)) {
      sendJson(res, err.httpStatus ?? 500, { code: err.code, message: err.message, hint: err.hint })
      return
    }
    this.#options.logger.error({ err }, 'admin forwarding failed')
    sendJson(res, 500, { code: 'WG_ERR_ADMIN_INTERNAL', message: (err as Error)?.message ?? String(err) })
  }
}

async function forward(worker: WorkerAdmin, method: string, target: string, contentType: string | undefined, body: Buffer | undefined, timeoutMs: number): Promise<WorkerReply> {
  const headers: Record<string, string> = {}
  if (contentType !== undefined) headers['content-type'] = contentType
  const res = await request(`${worker.url}${target}`, {
    method: method as 'GET',
    headers,
    ...(body === undefined ? {} : { body }),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  })
  const bytes = Buffer.from(await res.body.arrayBuffer())
  const type = res.headers['content-type']
  return { pid: worker.pid, status: res.statusCode, contentType: typeof type === 'string' ? type : 'application/json', body: bytes }
}

function workerFailure(worker: WorkerAdmin, err: unknown): WorkerReply {
  const e = new WasmgateError('WG_ERR_ADMIN_WORKER', [String(worker.pid), (err as Error)?.message ?? String(err)])
  const body = Buffer.from(JSON.stringify({ code: e.code, message: e.message, hint: e.hint }))
  return { pid: worker.pid, status: e.httpStatus ?? 502, contentType: 'application/json', body }
}

function send(res: ServerResponse, reply: WorkerReply): void {
  res.writeHead(reply.status, { 'content-type': reply.contentType, 'content-length': reply.body.length, 'x-wasmgate-worker': String(reply.pid) })
  res.end(reply.body)
}

/** Reads the body once for every worker; a declared or actual size over the limit is a 413 (the rest is drained, not buffered). */
function readBounded(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new WasmgateError('WG_ERR_ADMIN_TOO_LARGE', [String(maxBytes)])
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) {
    req.resume()
    return Promise.reject(tooLarge())
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= maxBytes) chunks.push(chunk)
      else chunks.length = 0
    })
    req.once('end', () => (size > maxBytes ? reject(tooLarge()) : resolve(Buffer.concat(chunks))))
    req.once('error', reject)
  })
}
