/**
 * @module
 * Structured logs (pino, JSON lines). App logs and access logs share one destination;
 * access lines carry `type: "access"`. Disabled levels cost one no-op call (pino).
 */
import { pino, destination, stdTimeFunctions, type Logger, type DestinationStream } from 'pino'

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'
export type { Logger }

export interface LoggerOptions {
  level?: LogLevel
  /** Where lines go; defaults to stdout. Tests pass a stream to read records back. */
  destination?: DestinationStream
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { name: 'wasmgate' },
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? destination({ dest: 1, sync: false }),
  )
}
