/**
 * @module
 * Assembles the import object of one instance for its ABI version. Every import is wrapped once
 * (per instance, never per call) so that (1) during start-up and the allocator only logging, WASI
 * and the AssemblyScript helpers run (cpp-host restricted callbacks; others get InternalFailure),
 * and (2) a JS exception from a hostcall is a host bug: logged, and InternalFailure to the guest.
 * Guest traps (abort, proc_exit, a trap in a nested allocator call) pass through.
 */
import type { AbiHost } from './abi-host.ts'
import { ENV_EXTRAS, proxyImportNames, WASI_MODULES } from './abi-version.ts'
import { Errno, Status } from './constants.ts'
import { GuestTrap } from './guest-trap.ts'
import { bufferImports } from './hostcalls/buffers.ts'
import { clockImports } from './hostcalls/clocks.ts'
import { contextImports } from './hostcalls/context.ts'
import { envImports } from './hostcalls/env.ts'
import { foreignImports } from './hostcalls/foreign.ts'
import { httpCallImports } from './hostcalls/http-calls.ts'
import { httpFieldImports } from './hostcalls/http-fields.ts'
import { loggingImports } from './hostcalls/logging.ts'
import { metricImports } from './hostcalls/metrics.ts'
import { propertyImports } from './hostcalls/properties.ts'
import { sharedDataImports } from './hostcalls/shared-data.ts'
import { sharedQueueImports } from './hostcalls/shared-queues.ts'
import { streamControlImports } from './hostcalls/stream-control.ts'
import { WASI_FUNCTION_NAMES, wasiImports } from './hostcalls/wasi.ts'

type AnyFn = (...args: any[]) => unknown

/** proxy_* calls allowed while the VM starts or allocates (cpp-host startVm whitelist). */
const ALLOWED_RESTRICTED = new Set(['proxy_log', 'proxy_get_log_level', 'proxy_get_current_time_nanoseconds'])

export function isGuestFailure(err: unknown): boolean {
  if (err instanceof GuestTrap || err instanceof WebAssembly.RuntimeError) return true
  // A stack overflow inside a nested guest call (e.g. the allocator) is the guest's.
  return err instanceof RangeError && /call stack/i.test(err.message)
}

function guard(host: AbiHost, name: string, fn: AnyFn, deniedValue: number | undefined, errorValue: number): AnyFn {
  const failed = (err: unknown): number => {
    if (isGuestFailure(err)) throw err
    host.hostcallFailed(name, err)
    return errorValue
  }
  if (deniedValue === undefined) {
    return function (a?: any, b?: any, c?: any, d?: any, e?: any, f?: any, g?: any, h?: any, i?: any, j?: any, k?: any, l?: any) {
      try {
        return fn(a, b, c, d, e, f, g, h, i, j, k, l)
      } catch (err) {
        return failed(err)
      }
    }
  }
  return function (a?: any, b?: any, c?: any, d?: any, e?: any, f?: any, g?: any, h?: any, i?: any, j?: any, k?: any, l?: any) {
    if (host.restricted) return deniedValue
    try {
      const r = fn(a, b, c, d, e, f, g, h, i, j, k, l)
      if (r === Status.InvalidMemoryAccess || r === Status.BadArgument) host.hostcallMisused(name, r as number)
      return r
    } catch (err) {
      return failed(err)
    }
  }
}

/** Every proxy_* implementation, whatever the version; buildImports picks the version's names. */
function allProxyFunctions(host: AbiHost): Record<string, AnyFn> {
  return {
    ...loggingImports(host),
    ...clockImports(host),
    ...contextImports(host),
    ...bufferImports(host),
    ...httpFieldImports(host),
    ...streamControlImports(host),
    ...httpCallImports(host),
    ...sharedDataImports(host),
    ...sharedQueueImports(host),
    ...metricImports(host),
    ...propertyImports(host),
    ...foreignImports(host),
  }
}

export function buildImports(host: AbiHost): WebAssembly.Imports {
  const all = allProxyFunctions(host)
  const env: Record<string, AnyFn> = {}
  for (const name of proxyImportNames(host.version)) {
    const fn = all[name]
    if (fn === undefined) throw new Error(`hostcall ${name} has no implementation`)
    env[name] = guard(host, name, fn, ALLOWED_RESTRICTED.has(name) ? undefined : Status.InternalFailure, Status.InternalFailure)
  }
  const extras = envImports(host) as Record<string, AnyFn>
  for (const name of ENV_EXTRAS) env[name] = guard(host, name, extras[name] as AnyFn, undefined, 0)
  const wasi: Record<string, AnyFn> = {}
  for (const [name, fn] of Object.entries(wasiImports(host) as Record<string, AnyFn>)) {
    wasi[name] = guard(host, name, fn, undefined, Errno.Fault)
  }
  const imports: WebAssembly.Imports = { env }
  for (const m of WASI_MODULES) imports[m] = wasi
  return imports
}

/** The (module, name) pairs this host provides for `version`, for import-surface validation. */
export function providedImports(version: AbiHost['version']): Set<string> {
  const out = new Set<string>()
  for (const n of proxyImportNames(version)) out.add(`env.${n}`)
  for (const n of ENV_EXTRAS) out.add(`env.${n}`)
  for (const m of WASI_MODULES) for (const n of WASI_FUNCTION_NAMES) out.add(`${m}.${n}`)
  return out
}

export { GuestTrap }
