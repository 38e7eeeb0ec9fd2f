/**
 * @module
 * Spec "Clocks" and "Timers": proxy_get_current_time_nanoseconds, proxy_set_tick_period_milliseconds.
 */
import type { AbiHost } from '../abi-host.ts'
import { Status } from '../constants.ts'

/** Wall-clock nanoseconds since the epoch, with sub-millisecond resolution from the monotonic clock. */
const originNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint()
export function realtimeNs(): bigint {
  return originNs + process.hrtime.bigint()
}

export function clockImports(host: AbiHost) {
  return {
    proxy_get_current_time_nanoseconds(retTimePtr: number): number {
      return host.memory.writeU64(retTimePtr, realtimeNs()) ? Status.Ok : Status.InvalidMemoryAccess
    },
    proxy_set_tick_period_milliseconds(periodMs: number): number {
      return host.setTickPeriod(periodMs >>> 0)
    },
  }
}
