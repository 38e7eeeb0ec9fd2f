/**
 * @module
 * `--workers N`: the primary forks N copies of the same command with node:cluster (they share
 * the listening ports), restarts any worker that dies, and on SIGTERM/SIGINT asks every worker
 * to drain, then exits 0; SIGHUP is passed on to every worker (config reload). A worker that
 * dies right after starting is restarted after a pause, so a crash loop does not spin the CPU.
 *
 * Stalled workers: each worker's event loop sends a heartbeat over IPC from a timer
 * (`startWorkerHeartbeat`), so a loop blocked by a filter, a runaway regex or anything else
 * sends none. The primary kills (SIGKILL: a blocked loop runs no signal handler) and replaces a
 * worker silent for `stallTimeoutMs`. A worker gets at least `startupGraceMs` for its first beat.
 *
 * Admin: the primary owns the admin port (admin/primary-admin.ts) so a PUT reaches every worker;
 * each worker listens on a private loopback admin port and reports it (worker-ipc.ts). A worker
 * that starts later (a restart) first gets the admin changes its siblings already have.
 */
import cluster, { type Worker } from 'node:cluster'
import type { Logger } from 'pino'
import { PrimaryAdmin, defaultMaxAdminBodyBytes, type WorkerAdmin } from '../admin/primary-admin.ts'
import { adminViaPrimaryEnv } from './gateway.ts'
import { adminReadyMessage, adminReportMessage } from './worker-ipc.ts'

export interface SuperviseOptions {
  readonly workers: number
  readonly logger: Logger
  /** After this, workers still running are killed. */
  readonly shutdownTimeoutMs: number
  /** A worker with no heartbeat for this long is replaced; 0 turns the watchdog off. */
  readonly stallTimeoutMs: number
  /** Where the primary serves the admin API for all workers; absent when admin is disabled. */
  readonly admin?: { readonly host: string; readonly port: number; readonly maxBodyBytes?: number }
}


const quickCrashMs = 1_000
const startupGraceMs = 30_000
const heartbeatMessage = 'wasmgate:heartbeat'
const heartbeatEnv = 'WASMGATE_HEARTBEAT_MS'

/** Beats often enough that a healthy worker is never late by a whole deadline (about 4 a deadline). */
function heartbeatIntervalMs(stallTimeoutMs: number): number {
  return Math.max(10, Math.min(1_000, Math.floor(stallTimeoutMs / 4)))
}

/** In a worker forked by superviseWorkers: start the heartbeat its primary watches. */
export function startWorkerHeartbeat(): void {
  const everyMs = Number(process.env[heartbeatEnv] ?? 0)
  if (!cluster.isWorker || !(everyMs > 0) || process.send === undefined) return
  const beat = () => {
    if (process.connected) process.send?.(heartbeatMessage)
  }
  beat()
  setInterval(beat, everyMs).unref()
}

export async function superviseWorkers(options: SuperviseOptions): Promise<void> {
  const { logger } = options
  const workerAdmins = new Map<number, WorkerAdmin>()
  let primaryAdmin: PrimaryAdmin | undefined
  const adminEnv: Record<string, string> = {}
  if (options.admin !== undefined) {
    const { host, port } = options.admin
    primaryAdmin = new PrimaryAdmin({
      logger,
      workers: () => [...workerAdmins.entries()].sort(([a], [b]) => a - b).map(([, w]) => w),
      expectedWorkers: options.workers,
      maxBodyBytes: options.admin.maxBodyBytes ?? defaultMaxAdminBodyBytes,
    })
    const adminPort = await primaryAdmin.listen(host, port)
    const adminUrl = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host}:${adminPort}`
    adminEnv[adminViaPrimaryEnv] = adminUrl
    logger.info({ adminUrl, workers: options.workers }, 'admin listening for all workers')
  }
  const startedAt = new Map<number, number>()
  /** Last heartbeat per worker id (absent until the first one). */
  const lastBeat = new Map<number, number>()
  const killedAsStalled = new Set<number>()
  const { stallTimeoutMs } = options
  const beatMs = heartbeatIntervalMs(stallTimeoutMs)
  let isStopping = false

  const fork = (): Worker => {
    const worker = cluster.fork({ ...adminEnv, WASMGATE_WORKER: '1', [heartbeatEnv]: stallTimeoutMs > 0 ? String(beatMs) : '0' })
    startedAt.set(worker.id, Date.now())
    logger.info({ worker: worker.id, pid: worker.process.pid }, 'worker started')
    return worker
  }

  cluster.on('message', (worker, msg) => {
    if (msg === heartbeatMessage) lastBeat.set(worker.id, Date.now())
    else if (isAdminReport(msg) && worker.process.pid !== undefined) {
      const admin = { pid: worker.process.pid, url: msg.url }
      const join = (): void => {
        if (worker.isDead()) return
        workerAdmins.set(worker.id, admin)
        worker.send(adminReadyMessage)
      }
      // Earlier PUTs first, then the worker joins the broadcasts (worker-ipc.ts).
      if (primaryAdmin === undefined) join()
      else primaryAdmin.replayTo(admin, join)
    }
  })

  if (stallTimeoutMs > 0) {
    setInterval(() => {
      if (isStopping) return
      const now = Date.now()
      for (const w of Object.values(cluster.workers ?? {})) {
        if (w === undefined || w.isDead() || killedAsStalled.has(w.id)) continue
        const beat = lastBeat.get(w.id)
        const silentMs = now - (beat ?? startedAt.get(w.id) ?? now)
        if (silentMs <= (beat === undefined ? Math.max(startupGraceMs, stallTimeoutMs) : stallTimeoutMs)) continue
        killedAsStalled.add(w.id)
        logger.error({ worker: w.id, pid: w.process.pid, silentMs, stallTimeoutMs, started: beat !== undefined }, 'worker stalled: no heartbeat; killing it')
        w.process.kill('SIGKILL')
      }
    }, beatMs).unref()
  }

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker.id) ?? 0)
    const stalled = killedAsStalled.delete(worker.id)
    startedAt.delete(worker.id)
    lastBeat.delete(worker.id)
    workerAdmins.delete(worker.id)
    if (isStopping) return
    if (stalled) logger.warn({ worker: worker.id, pid: worker.process.pid, signal }, 'stalled worker killed; restarting it')
    else logger.warn({ worker: worker.id, pid: worker.process.pid, code, signal }, 'worker died; restarting it')
    const restart = () => {
      if (isStopping) return
      const next = fork()
      logger.info({ worker: next.id, pid: next.process.pid, replaces: worker.process.pid }, 'worker restarted')
    }
    if (lived < quickCrashMs) setTimeout(restart, quickCrashMs).unref()
    else restart()
  })

  for (let i = 0; i < options.workers; i++) fork()

  return new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      if (isStopping) return
      isStopping = true
      logger.info({ signal }, 'stopping workers')
      // Stop taking admin requests first: the workers are about to go.
      const adminClosed = primaryAdmin?.close() ?? Promise.resolve()
      const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead())
      let left = alive.length
      const done = () => {
        clearTimeout(killTimer)
        logger.info('all workers stopped')
        void adminClosed.then(() => {
          resolve()
          logger.flush(() => process.exit(0))
        })
      }
      const killTimer = setTimeout(() => {
        for (const w of alive) if (!w.isDead()) w.process.kill('SIGKILL')
      }, options.shutdownTimeoutMs)
      if (left === 0) return done()
      for (const w of alive) {
        w.once('exit', () => {
          if (--left === 0) done()
        })
        if (w.isConnected()) w.send('wasmgate:shutdown')
      }
    }
    process.once('SIGTERM', () => stop('SIGTERM'))
    process.once('SIGINT', () => stop('SIGINT'))
    // Config reload: every worker reloads its own copy (cli/config-triggers.ts listens for this).
    process.on('SIGHUP', () => {
      // Every worker goes back to the file, so a worker started later must not get older PUTs.
      primaryAdmin?.forgetChanges()
      for (const w of Object.values(cluster.workers ?? {})) if (w?.isConnected()) w.send('wasmgate:reload')
    })
  })
}

function isAdminReport(msg: unknown): msg is { type: string; url: string } {
  return typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === adminReportMessage && typeof (msg as { url?: unknown }).url === 'string'
}
