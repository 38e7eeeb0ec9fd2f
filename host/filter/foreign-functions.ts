/**
 * @module
 * The foreign functions (proxy_call_foreign_function) wasmgate registers, a subset of Envoy's:
 * `compress` / `uncompress` (zlib format, as Envoy's use of zlib compress/uncompress) and
 * `clear_route_cache` (the stream's route is chosen again before it goes upstream; from a root
 * context there is no stream, and nothing to clear). Any other name is NotFound.
 */
import { deflateSync, inflateSync } from 'node:zlib'
import type { AbiContext } from '../abi/abi-host.ts'
import { Status } from '../abi/constants.ts'

const EMPTY = new Uint8Array(0)
/** An uncompressed result larger than this is refused (a zip bomb must not take the proxy's memory). */
const MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024

export function callForeignFunction(name: string, args: Uint8Array, ctx?: AbiContext): Uint8Array | Status {
  switch (name) {
    case 'compress':
      return deflateSync(args)
    case 'uncompress':
      try {
        return inflateSync(args, { maxOutputLength: MAX_UNCOMPRESSED_BYTES })
      } catch {
        return Status.SerializationFailure
      }
    case 'clear_route_cache':
      ctx?.clearRouteCache?.()
      return EMPTY
  }
  return Status.NotFound
}
