// Where AssemblyScript's abort, trace and seed go (asconfig `use`: abort=wasmgate_abort ...,
// wired in sdk/lib/wasmgate-runtime.ts). The module then needs no env.abort/env.trace/env.seed,
// so it links in Envoy as it is. An abort logs at critical through proxy_log, then traps.
import { proxy_log, random_get } from "../abi/imports"
import { LogLevel } from "../abi/types"
import { OUT_PTR, scratch } from "./memory"

let msgLen: usize = 0

function put(s: string): void {
  const len = <usize>String.UTF8.byteLength(s)
  const base = scratch(msgLen + len)
  msgLen += String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, base + msgLen)
}

function flush(level: LogLevel): void {
  proxy_log(level, scratch(msgLen), msgLen)
  msgLen = 0
}

/** Logs `abort: MESSAGE at FILE:LINE:COLUMN` at critical, then traps. */
export function sdkAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  msgLen = 0
  put("abort: ")
  put(message != null ? message : "(no message)")
  if (fileName != null) {
    put(" at ")
    put(fileName)
    put(":")
    put(line.toString())
    put(":")
    put(column.toString())
  }
  flush(LogLevel.Critical)
  unreachable()
}

/** `trace(message, n, ...values)` logs at debug. */
export function sdkTrace(message: string, n: i32, a0: f64, a1: f64, a2: f64, a3: f64, a4: f64): void {
  msgLen = 0
  put("trace: ")
  put(message)
  if (n > 0) put(" " + a0.toString())
  if (n > 1) put(", " + a1.toString())
  if (n > 2) put(", " + a2.toString())
  if (n > 3) put(", " + a3.toString())
  if (n > 4) put(", " + a4.toString())
  flush(LogLevel.Debug)
}

/** Seeds Math.random from the host's WASI random_get. */
export function sdkSeed(): f64 {
  if (random_get(OUT_PTR, 8) != 0) sdkAbort("random_get failed", null, 0, 0)
  return <f64>(load<u64>(OUT_PTR) >>> 11) + 1.0
}

/** Aborts unless `status` is Ok: an unexpected status means a broken contract, never silence. */
export function expectOk(status: u32, hostcall: string): void {
  if (status != 0) sdkAbort("unexpected status " + status.toString() + " from " + hostcall, null, 0, 0)
}
