/**
 * @module
 * Automatic reload triggers, both off by default: `reload.watchFilters` reloads a filter when the
 * `.wasm` file its config names holds new bytes, and `reload.ociPollMs` reloads an `oci://`
 * filter when its tag moved to another manifest. Both go through ReloadManager (canary first, a
 * refusal keeps the running filter). Directories are watched, not files, because builds often
 * replace a file by renaming a new one over it; events are debounced so a file written in
 * several chunks is read once it settles, and bytes equal to the running module are ignored.
 */
import { watch, type FSWatcher } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, dirname, isAbsolute, resolve } from 'node:path'
import type { Logger } from 'pino'
import type { GatewayConfig } from '../config/schema.ts'
import { sha256Hex } from '../vm/module-cache.ts'
import type { ReloadManager } from './reload-manager.ts'

export interface SourceWatchDeps {
  readonly reloads: ReloadManager
  /** The config in effect (its `reload` section and filter list). */
  readonly config: () => GatewayConfig
  readonly baseDir: string
  readonly logger: Logger
}

export interface SourceWatch {
  /** Re-reads the config: watches what it names now. */
  refresh(): void
  close(): void
}

/** Writes of one build arrive as several events within a few ms. */
const SETTLE_MS = 50

export function startSourceWatch(deps: SourceWatchDeps): SourceWatch {
  const log = deps.logger.child({ component: 'reload-watch' })
  const dirs = new Map<string, FSWatcher>()
  const timers = new Map<string, NodeJS.Timeout>()
  const ociDigests = new Map<string, string>()
  let poll: NodeJS.Timeout | undefined
  let pollMs = 0
  let isPolling = false
  let closed = false

  /** filter name → absolute path, for filters loaded from a file. */
  function watchedFiles(): Map<string, string> {
    const files = new Map<string, string>()
    for (const name of deps.reloads.names()) {
      const source = deps.reloads.configOf(name)?.source
      if (source === undefined || source.includes('://') || source.startsWith('upload:')) continue
      files.set(name, isAbsolute(source) ? source : resolve(deps.baseDir, source))
    }
    return files
  }

  function onDirEvent(dir: string, file: string | null): void {
    for (const [name, path] of watchedFiles()) {
      if (dirname(path) !== dir || (file !== null && basename(path) !== file)) continue
      clearTimeout(timers.get(name))
      timers.set(
        name,
        setTimeout(() => {
          timers.delete(name)
          void checkFile(name, path)
        }, SETTLE_MS).unref(),
      )
    }
  }

  async function checkFile(name: string, path: string): Promise<void> {
    let bytes: Buffer
    try {
      bytes = await readFile(path)
    } catch {
      return // removed or mid-rename; the next event brings it back
    }
    const row = deps.reloads.get(name)
    const config = deps.reloads.configOf(name)
    if (closed || row === undefined || config === undefined || sha256Hex(bytes) === row.sha256) return
    log.info({ filter: name, path }, `filter file changed: reloading ${name}`)
    // Reload from the bytes just read, so what was compared is what is loaded.
    const { sha256: _pinned, ...unpinned } = config
    await deps.reloads.load(unpinned, 'file', bytes).catch(() => undefined) // refusals are logged and counted there
  }

  async function pollOci(): Promise<void> {
    if (isPolling || closed) return
    isPolling = true
    try {
      const { resolveManifestDigest } = await import('../oci/index.ts')
      for (const name of deps.reloads.names()) {
        const config = deps.reloads.configOf(name)
        if (config === undefined || !config.source.startsWith('oci://') || config.source.includes('@sha256:')) continue
        const ref = config.source.slice('oci://'.length)
        let digest: string | undefined
        try {
          digest = await resolveManifestDigest(ref)
        } catch (err) {
          log.warn({ filter: name, ref, err: (err as Error).message }, 'cannot check the OCI tag of a filter')
          continue
        }
        if (digest === undefined || closed) continue
        const key = `${name}\0${config.source}`
        const known = ociDigests.get(key) ?? deps.reloads.get(name)?.source.split('@')[1]
        ociDigests.set(key, digest)
        log.debug({ filter: name, ref, digest, known }, 'OCI tag checked')
        if (known === undefined || known === digest) continue
        log.info({ filter: name, ref, from: known, to: digest }, `OCI tag moved: reloading ${name}`)
        await deps.reloads.load({ ...config, pullPolicy: 'Always' }, 'oci').catch(() => undefined)
      }
    } finally {
      isPolling = false
    }
  }

  function refresh(): void {
    if (closed) return
    const reload = deps.config().reload
    const wanted = new Set(reload.watchFilters ? [...watchedFiles().values()].map(dirname) : [])
    for (const [dir, w] of dirs) {
      if (!wanted.has(dir)) {
        w.close()
        dirs.delete(dir)
      }
    }
    for (const dir of wanted) {
      if (dirs.has(dir)) continue
      try {
        const w = watch(dir, { persistent: false }, (_event, file) => onDirEvent(dir, file === null ? null : String(file)))
        w.on('error', (err) => log.warn({ dir, err: err.message }, 'filter file watch failed'))
        dirs.set(dir, w)
      } catch (err) {
        log.warn({ dir, err: (err as Error).message }, 'cannot watch a filter directory')
      }
    }
    if (reload.ociPollMs !== pollMs) {
      clearInterval(poll)
      poll = undefined
      pollMs = reload.ociPollMs
      if (pollMs > 0) poll = setInterval(() => void pollOci(), pollMs).unref()
    }
  }

  refresh()
  return {
    refresh,
    close() {
      closed = true
      for (const w of dirs.values()) w.close()
      dirs.clear()
      for (const t of timers.values()) clearTimeout(t)
      timers.clear()
      clearInterval(poll)
    },
  }
}
