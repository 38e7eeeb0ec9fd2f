/**
 * @module
 * Spec "Context lifecycle": proxy_set_effective_context, proxy_done.
 */
import type { AbiHost } from '../abi-host.ts'

export function contextImports(host: AbiHost) {
  return {
    proxy_set_effective_context(contextId: number): number {
      return host.setEffectiveContext(contextId >>> 0)
    },
    proxy_done(): number {
      return host.done()
    },
  }
}
