/**
 * @module
 * `--workers N`: the primary forks N copies of the same command with node:cluster (they share
 * the listening ports), restarts any worker that dies, and on SIGTERM/SIGINT asks every worker
 * to drain, then exits 0; SIGHUP is passed on to every worker (config reload). A worker that
 * dies right after starting is restarted after a pause, so a crash loop does not spin the CPU.
 */
import cluster, { type Worker } from 'node:cluster'
import type { Logger } from 'pino'

export interface SuperviseOptions {
  readonly workers: number
  readonly logger: Logger
  /** After this, workers still running are killed. */
  readonly shutdownTimeoutMs: number
}

const quickCrashMs = 1_000

export function superviseWorkers(options: SuperviseOptions): Promise<void> {
  const { logger } = options
  const startedAt = new Map<number, number>()
  let isStopping = false

  const fork = (): Worker => {
    const worker = cluster.fork({ WASMGATE_WORKER: '1' })
    startedAt.set(worker.id, Date.now())
    logger.info({ worker: worker.id, pid: worker.process.pid }, 'worker started')
    return worker
  }

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker.id) ?? 0)
    startedAt.delete(worker.id)
    if (isStopping) return
    logger.warn({ worker: worker.id, pid: worker.process.pid, code, signal }, 'worker died; restarting it')
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
      const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead())
      let left = alive.length
      const done = () => {
        clearTimeout(killTimer)
        logger.info('all workers stopped')
        resolve()
        logger.flush(() => process.exit(0))
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
      for (const w of Object.values(cluster.workers ?? {})) if (w?.isConnected()) w.send('wasmgate:reload')
    })
  })
}
