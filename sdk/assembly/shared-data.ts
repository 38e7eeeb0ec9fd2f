// Shared data: a key-value store shared by every VM of a plugin, with compare-and-swap.
import { proxy_get_shared_data, proxy_set_shared_data } from "./abi/imports"
import { Status } from "./abi/types"
import { expectOk } from "./runtime/abort"
import { OUT_EXTRA, OUT_PTR, OUT_SIZE, encodeAt, scratch, scratchBase, takeBytes } from "./runtime/memory"

/** A value and the cas to pass to setSharedData to update it only if nobody else did. */
export class SharedValue {
  constructor(public readonly value: ArrayBuffer, public readonly cas: u32) {}
  text(): string { return String.UTF8.decode(this.value) }
}

/** The value of `key` with its cas, or null when the key does not exist. */
export function getSharedData(key: string): SharedValue | null {
  const k = encodeAt(key, 0)
  const status = proxy_get_shared_data(scratchBase(), k, OUT_PTR, OUT_SIZE, OUT_EXTRA)
  if (status == Status.NotFound) return null
  expectOk(status, "proxy_get_shared_data")
  const cas = load<u32>(OUT_EXTRA)
  return new SharedValue(takeBytes(load<u32>(OUT_PTR), load<u32>(OUT_SIZE)), cas)
}

/**
 * Stores `value` under `key`. With cas 0 it always writes; otherwise only if the stored cas still
 * matches. Returns false on a cas mismatch (read again and retry).
 */
export function setSharedData(key: string, value: ArrayBuffer, cas: u32 = 0): bool {
  const k = encodeAt(key, 0)
  const base = scratchBase()
  const status = proxy_set_shared_data(base, k, changetype<usize>(value), value.byteLength, cas)
  if (status == Status.CasMismatch) return false
  expectOk(status, "proxy_set_shared_data")
  return true
}

/** setSharedData with a UTF-8 string value. */
export function setSharedDataString(key: string, value: string, cas: u32 = 0): bool {
  const k = encodeAt(key, 0)
  const v = encodeAt(value, k)
  scratch(k + v)
  const base = scratchBase()
  const status = proxy_set_shared_data(base, k, base + k, v, cas)
  if (status == Status.CasMismatch) return false
  expectOk(status, "proxy_set_shared_data")
  return true
}
