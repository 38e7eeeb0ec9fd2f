// Library file (asconfig `lib`): its exports are globals, which is what asconfig `use` needs to
// route AssemblyScript's abort, trace and seed to the SDK. Keep it to these three one-liners.
import { sdkAbort, sdkSeed, sdkTrace } from "wasmgate/sdk/assembly/runtime/abort"

export function wasmgate_abort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  sdkAbort(message, fileName, line, column)
}

export function wasmgate_trace(message: string, n: i32 = 0, a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0, a4: f64 = 0): void {
  sdkTrace(message, n, a0, a1, a2, a3, a4)
}

export function wasmgate_seed(): f64 {
  return sdkSeed()
}
