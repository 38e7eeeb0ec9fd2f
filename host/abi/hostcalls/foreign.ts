/**
 * @module
 * Spec "Foreign function interface": proxy_call_foreign_function. Unknown names are NotFound.
 * Results are optional: with a 0 result pointer the result is dropped (cpp-host does the same).
 */
import type { AbiHost } from '../abi-host.ts'
import { Status } from '../constants.ts'

export function foreignImports(host: AbiHost) {
  const mem = host.memory
  return {
    proxy_call_foreign_function(namePtr: number, nameSize: number, argsPtr: number, argsSize: number, retPtrPtr: number, retSizePtr: number): number {
      const name = mem.utf8(namePtr, nameSize)
      const args = mem.copy(argsPtr, argsSize)
      if (name === undefined || args === undefined) return Status.InvalidMemoryAccess
      const result = host.callForeignFunction(name, args)
      if (typeof result === 'number') return result
      if (retPtrPtr === 0) return Status.Ok
      return mem.copyOut(result, retPtrPtr, retSizePtr)
    },
  }
}
