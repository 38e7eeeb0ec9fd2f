/**
 * @module
 * Host-side counters about filters, in the gateway registry: hostcalls the guest misused
 * (InvalidMemoryAccess, BadArgument: STYLE §4 "returns the spec status and bumps a counter") and
 * instance failures by kind. Only error paths touch them, so label lookups cost nothing per request.
 */
import { Counter, type Registry } from 'prom-client'
import { Status } from '../abi/constants.ts'
import type { FilterCounters } from './live-plugin.ts'

const STATUS_NAME: Record<number, string> = { [Status.InvalidMemoryAccess]: 'InvalidMemoryAccess', [Status.BadArgument]: 'BadArgument' }

export function createFilterCounters(registry: Registry): FilterCounters {
  const existing = registry.getSingleMetric('wasmgate_filter_hostcall_errors_total')
  const misuse =
    (existing as Counter<'filter' | 'hostcall' | 'status'> | undefined) ??
    new Counter({
      name: 'wasmgate_filter_hostcall_errors_total',
      help: 'Hostcalls a filter misused (bad pointer or argument), by filter, hostcall and returned status',
      labelNames: ['filter', 'hostcall', 'status'],
      registers: [registry],
    })
  const failures =
    (registry.getSingleMetric('wasmgate_filter_failures_total') as Counter<'filter' | 'kind'> | undefined) ??
    new Counter({
      name: 'wasmgate_filter_failures_total',
      help: 'Filter instances that failed (trap or loop budget), by filter and kind',
      labelNames: ['filter', 'kind'],
      registers: [registry],
    })
  return {
    hostcallMisused(filter, hostcall, status) {
      misuse.inc({ filter, hostcall, status: STATUS_NAME[status] ?? String(status) })
    },
    failed(filter, kind) {
      failures.inc({ filter, kind })
    },
  }
}
