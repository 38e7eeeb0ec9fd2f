/**
 * @module
 * Spec "Logging": proxy_log, proxy_get_log_level (0.2.1 only).
 */
import type { AbiHost } from '../abi-host.ts'
import { LogLevel, Status } from '../constants.ts'
import { MAX_LOG_MESSAGE_BYTES } from '../limits.ts'

export function loggingImports(host: AbiHost) {
  return {
    proxy_log(level: number, msgPtr: number, msgSize: number): number {
      if (level < LogLevel.Trace || level > LogLevel.Critical) return Status.BadArgument
      if (!host.memory.inBounds(msgPtr, msgSize)) return Status.InvalidMemoryAccess
      // Level first, decode second: a disabled level costs no string (pino's rule).
      if (!host.isLogEnabled(level)) return Status.Ok
      const size = Math.min(msgSize >>> 0, MAX_LOG_MESSAGE_BYTES)
      host.log(level, host.memory.utf8(msgPtr, size) as string)
      return Status.Ok
    },
    proxy_get_log_level(retLevelPtr: number): number {
      return host.memory.writeU32(retLevelPtr, host.logLevel()) ? Status.Ok : Status.InvalidMemoryAccess
    },
  }
}
