/**
 * @module
 * Structured logs (pino, JSON lines). App logs and access logs share one destination;
 * access lines carry `type: "access"`. Disabled levels cost one no-op call (pino).
 *
 * The default destination batches: with one access line per request, a write per line is a
 * syscall per request. Lines are written once 4 KiB are pending, at least every 200 ms, and
 * on exit (pino flushes its destination then).
 */
import { pino, destination, type Logger, type DestinationStream } from 'pino'

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'
export type { Logger }

export interface LoggerOptions {
  level?: LogLevel
  /** Where lines go; defaults to stdout. Tests pass a stream to read records back. */
  destination?: DestinationStream
}

const batchBytes = 4096
const flushEveryMs = 200

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { name: 'wasmgate' },
      timestamp: cachedIsoTimestamp,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? batchedStdout(),
  )
}

function batchedStdout(): DestinationStream {
  const dest = destination({ dest: 1, sync: false, minLength: batchBytes })
  // sonic-boom's own periodicFlush writes even when nothing is pending (an empty write each
  // period); flush only when lines wait. `_len` is sonic-boom's pending byte count.
  setInterval(() => {
    const state = dest as unknown as { _len?: number; destroyed?: boolean }
    if (state._len !== 0 && state.destroyed !== true) dest.flush()
  }, flushEveryMs).unref()
  return dest
}

let lastMs = -1
let lastIso = ''
let lastField = ''

/** `new Date(ms).toISOString()`, computed once per millisecond (many lines share one). */
export function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms
    lastIso = new Date(ms).toISOString()
    lastField = `,"time":"${lastIso}"`
  }
  return lastIso
}

/** pino's `timestamp` option: the same `"time"` field as stdTimeFunctions.isoTime, cached. */
function cachedIsoTimestamp(): string {
  isoTime(Date.now())
  return lastField
}
