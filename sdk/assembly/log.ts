// Logging through proxy_log. The message is encoded into the scratch buffer: no garbage.
import { proxy_get_log_level, proxy_log } from "./abi/imports"
import { LogLevel } from "./abi/types"
import { OUT_PTR, encodeAt, scratchBase } from "./runtime/memory"

function write(level: LogLevel, message: string): void {
  const size = encodeAt(message, 0)
  proxy_log(level, scratchBase(), size)
}

export namespace log {
  export function trace(message: string): void { write(LogLevel.Trace, message) }
  export function debug(message: string): void { write(LogLevel.Debug, message) }
  export function info(message: string): void { write(LogLevel.Info, message) }
  export function warn(message: string): void { write(LogLevel.Warn, message) }
  export function error(message: string): void { write(LogLevel.Error, message) }
  export function critical(message: string): void { write(LogLevel.Critical, message) }
  /** Logs at `level` (a LogLevel). */
  export function at(level: LogLevel, message: string): void { write(level, message) }
  /**
   * The host's current level, so a filter can skip building expensive messages. Uses
   * proxy_get_log_level (ABI 0.2.1); hosts without it report Trace.
   */
  export function level(): LogLevel {
    if (proxy_get_log_level(OUT_PTR) != 0) return LogLevel.Trace
    return <LogLevel>load<u32>(OUT_PTR)
  }
}
