/**
 * @module
 * What makes `wasmgate serve` reload its config file: SIGHUP (always; with --workers the primary
 * passes it on to every worker), and a watch on the file when `reload.watchConfig` is true.
 * The watch looks at the file's directory, since editors and deploy tools often replace a file
 * by renaming a new one over it, and reloads only when the bytes changed. A refused config is
 * logged and counted by the gateway; the running one keeps serving.
 */
import { createHash } from 'node:crypto'
import { readFileSync, watch, type FSWatcher } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, dirname, resolve } from 'node:path'
import type { Logger } from 'pino'
import { loadConfigFile } from '../config/load.ts'
import type { Gateway } from '../server/gateway.ts'

/** The message a primary sends its workers on SIGHUP. */
export const RELOAD_MESSAGE = 'wasmgate:reload'

/** An editor's save arrives as several events within a few ms. */
const SETTLE_MS = 100

export interface ConfigTriggers {
  /** Reloads now (what SIGHUP does); resolves once applied or refused. */
  reload(reason: string): Promise<void>
  close(): void
}

export function startConfigTriggers(file: string, gateway: Gateway, logger: Logger): ConfigTriggers {
  const path = resolve(file)
  let watcher: FSWatcher | undefined
  let timer: NodeJS.Timeout | undefined
  let lastDigest: string | undefined
  let isClosed = false

  const digestOf = async (): Promise<string | undefined> => {
    try {
      return createHash('sha256').update(await readFile(path)).digest('hex')
    } catch {
      return undefined
    }
  }

  const reload = async (reason: string): Promise<void> => {
    if (isClosed) return
    logger.info({ file: path, reason }, `reloading config (${reason})`)
    const digest = await digestOf()
    try {
      await gateway.reloadConfig(() => loadConfigFile(path))
      lastDigest = digest
    } catch {
      // logged and counted by the gateway's config reloader
    }
    syncWatch()
  }

  const onChange = () => {
    clearTimeout(timer)
    timer = setTimeout(() => {
      void digestOf().then((digest) => {
        if (digest !== undefined && digest !== lastDigest) void reload('file changed')
      })
    }, SETTLE_MS).unref()
  }

  const syncWatch = () => {
    const wanted = !isClosed && gateway.config.reload.watchConfig
    if (wanted && watcher === undefined) {
      watcher = watch(dirname(path), { persistent: false }, (_event, name) => {
        if (name === null || String(name) === basename(path)) onChange()
      })
      watcher.on('error', (err) => logger.warn({ file: path, err: err.message }, 'config file watch failed'))
    } else if (!wanted && watcher !== undefined) {
      watcher.close()
      watcher = undefined
    }
  }

  const onSignal = () => void reload('SIGHUP')
  const onMessage = (msg: unknown) => {
    if (msg === RELOAD_MESSAGE) void reload('SIGHUP from the primary')
  }
  process.on('SIGHUP', onSignal)
  process.on('message', onMessage)
  // Synchronously, so a save right after "gateway listening" is neither missed nor taken as the baseline.
  try {
    lastDigest = createHash('sha256').update(readFileSync(path)).digest('hex')
  } catch {
    lastDigest = undefined
  }
  syncWatch()

  return {
    reload,
    close() {
      isClosed = true
      clearTimeout(timer)
      watcher?.close()
      watcher = undefined
      process.off('SIGHUP', onSignal)
      process.off('message', onMessage)
    },
  }
}
