/**
 * @module
 * Spec "Metrics": define, increment, record, get. i64 parameters arrive as BigInt.
 */
import type { AbiHost } from '../abi-host.ts'
import { Status } from '../constants.ts'

export function metricImports(host: AbiHost) {
  const mem = host.memory
  return {
    proxy_define_metric(type: number, namePtr: number, nameSize: number, retMetricIdPtr: number): number {
      if (type >>> 0 > 2) return Status.BadArgument
      const name = mem.utf8(namePtr, nameSize)
      if (name === undefined || !mem.inBounds(retMetricIdPtr, 4)) return Status.InvalidMemoryAccess
      const id = host.defineMetric(type, name)
      if (id < 0) return -id
      mem.writeU32(retMetricIdPtr, id)
      return Status.Ok
    },
    proxy_increment_metric(metricId: number, delta: bigint): number {
      return host.incrementMetric(metricId >>> 0, delta)
    },
    proxy_record_metric(metricId: number, value: bigint): number {
      return host.recordMetric(metricId >>> 0, value)
    },
    proxy_get_metric(metricId: number, retValuePtr: number): number {
      if (!mem.inBounds(retValuePtr, 8)) return Status.InvalidMemoryAccess
      const value = host.getMetric(metricId >>> 0)
      if (typeof value === 'number') return value
      mem.writeU64(retValuePtr, value)
      return Status.Ok
    },
  }
}
