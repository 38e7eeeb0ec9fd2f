/**
 * @module
 * Shared key-value data per vm_id with Envoy's exact CAS rules (cpp-host shared_data.cc):
 * cas 0 always writes; a non-zero cas must match the stored one; a missing key ignores the cas
 * and inserts; every successful set takes a new cas from one counter that starts at 1 and skips 0.
 * There is no delete in the ABI: an empty value is stored (SDKs read it back as "none").
 */
import { Status } from '../abi/constants.ts'
import type { SharedValue } from '../abi/abi-host.ts'

export class SharedDataStore {
  readonly #byVmId = new Map<string, Map<string, SharedValue>>()
  #nextCas = 1

  get(vmId: string, key: string): SharedValue | undefined {
    return this.#byVmId.get(vmId)?.get(key)
  }

  set(vmId: string, key: string, value: Uint8Array, cas: number): Status {
    let data = this.#byVmId.get(vmId)
    if (data === undefined) {
      data = new Map()
      this.#byVmId.set(vmId, data)
    }
    const existing = data.get(key)
    if (existing !== undefined && cas !== 0 && cas !== existing.cas) return Status.CasMismatch
    data.set(key, { value, cas: this.#takeCas() })
    return Status.Ok
  }

  /** Drops a vm_id's data (when the last plugin with that vm_id is unloaded). */
  deleteVmId(vmId: string): void {
    this.#byVmId.delete(vmId)
  }

  #takeCas(): number {
    const cas = this.#nextCas
    this.#nextCas = (this.#nextCas + 1) >>> 0 || 1
    return cas
  }
}
