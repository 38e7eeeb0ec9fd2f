// The host's clock.
import { proxy_get_current_time_nanoseconds } from "./abi/imports"
import { expectOk } from "./runtime/abort"
import { OUT_EXTRA } from "./runtime/memory"

/** Wall-clock time in nanoseconds since the epoch (the host may freeze it within a callback). */
export function currentTimeNanoseconds(): u64 {
  expectOk(proxy_get_current_time_nanoseconds(OUT_EXTRA), "proxy_get_current_time_nanoseconds")
  return load<u64>(OUT_EXTRA)
}
