/**
 * @module
 * Runs the `wasmgate` CLI as users run it (`node bin/wasmgate.js ...`, the bundle the integration
 * globalSetup rebuilds) in a child
 * process, collecting stdout JSON log records and stderr text; killed when the test finishes.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { onTestFinished } from 'vitest'

export interface CliProcess {
  readonly child: ChildProcess
  readonly records: Record<string, unknown>[]
  stderr(): string
  waitForRecord(pred: (r: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

const root = new URL('../../', import.meta.url).pathname

export function runCli(args: string[], cwd = root): CliProcess {
  const child = spawn(process.execPath, [`${root}bin/wasmgate.js`, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  const records: Record<string, unknown>[] = []
  const waiters = new Set<{ pred: (r: Record<string, unknown>) => boolean; resolve: (r: Record<string, unknown>) => void }>()
  let err = ''
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()))
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    let r: Record<string, unknown>
    try {
      r = JSON.parse(line) as Record<string, unknown>
    } catch {
      r = { text: line }
    }
    records.push(r)
    for (const w of waiters) if (w.pred(r)) (waiters.delete(w), w.resolve(r))
  })
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  return {
    child,
    records,
    stderr: () => err,
    exited: () => exit,
    waitForRecord(pred, timeoutMs = 20_000) {
      const found = records.find(pred)
      if (found) return Promise.resolve(found)
      return new Promise((resolve, reject) => {
        const w = { pred, resolve: (r: Record<string, unknown>) => (clearTimeout(t), resolve(r)) }
        const t = setTimeout(() => {
          waiters.delete(w)
          reject(new Error(`no matching record in ${timeoutMs} ms; stderr:\n${err}\nstdout:\n${records.map((x) => JSON.stringify(x)).join('\n')}`))
        }, timeoutMs)
        waiters.add(w)
        void exit.then(() => setImmediate(() => waiters.has(w) && (waiters.delete(w), clearTimeout(t), reject(new Error(`process exited; stderr:\n${err}`)))))
      })
    },
  }
}
