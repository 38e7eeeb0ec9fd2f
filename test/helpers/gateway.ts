/**
 * @module
 * Starts a real gateway for a test: proxy and admin on 127.0.0.1 port 0, log records kept in
 * memory (`gw.logs`, parsed JSON) so tests assert on them, closed when the test finishes.
 */
import { Writable } from 'node:stream'
import { onTestFinished } from 'vitest'
import { createGateway, type CreateGatewayOptions } from '../../host/index.ts'
import type { Gateway } from '../../host/server/gateway.ts'

export type LogRecord = Record<string, unknown> & { level: string; msg?: string }

export interface TestGateway extends Gateway {
  /** Every log line so far, parsed. */
  readonly logs: LogRecord[]
  /** Resolves with the first record (past or future) matching `pred`; rejects after `timeoutMs`. */
  waitForLog(pred: (r: LogRecord) => boolean, timeoutMs?: number): Promise<LogRecord>
  /** Access log records only. */
  accessLogs(): LogRecord[]
}

/** A deep merge of `config` over test defaults: listen/admin on 127.0.0.1:0, debug logs. */
export async function startGateway(config: Record<string, unknown>, options: Omit<CreateGatewayOptions, 'logDestination'> & { keep?: boolean } = {}): Promise<TestGateway> {
  const logs: LogRecord[] = []
  const waiters = new Set<{ pred: (r: LogRecord) => boolean; resolve: (r: LogRecord) => void }>()
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue
        const record = JSON.parse(line) as LogRecord
        logs.push(record)
        for (const w of waiters) {
          if (w.pred(record)) {
            waiters.delete(w)
            w.resolve(record)
          }
        }
      }
      done()
    },
  })
  const full = {
    ...config,
    listen: { host: '127.0.0.1', port: 0, ...(config.listen as object | undefined) },
    admin: { host: '127.0.0.1', port: 0, ...(config.admin as object | undefined) },
    log: { level: 'debug', ...(config.log as object | undefined) },
  }
  const gw = await createGateway(full, { logLevel: 'debug', ...options, logDestination: destination })
  const testGw: TestGateway = Object.assign(Object.create(null) as object, gw, {
    logs,
    waitForLog(pred: (r: LogRecord) => boolean, timeoutMs = 10_000): Promise<LogRecord> {
      const found = logs.find(pred)
      if (found) return Promise.resolve(found)
      return new Promise<LogRecord>((resolve, reject) => {
        const waiter = { pred, resolve: (r: LogRecord) => (clearTimeout(timer), resolve(r)) }
        const timer = setTimeout(() => {
          waiters.delete(waiter)
          reject(new Error(`no log record matched within ${timeoutMs} ms; last records:\n${logs.slice(-5).map((r) => JSON.stringify(r)).join('\n')}`))
        }, timeoutMs)
        waiters.add(waiter)
      })
    },
    accessLogs: () => logs.filter((r) => r.type === 'access'),
  })
  if (!options.keep) onTestFinished(() => gw.close())
  return testGw
}
