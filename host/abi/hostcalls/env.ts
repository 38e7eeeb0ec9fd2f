/**
 * @module
 * Non-proxy `env` imports real modules carry: AssemblyScript's abort/trace/seed (strings are
 * UTF-16LE with their byte length stored as a u32 just before the pointer) and the two
 * Emscripten helpers cpp-host registers for every module.
 */
import { randomBytes } from 'node:crypto'
import type { AbiHost } from '../abi-host.ts'
import { LogLevel } from '../constants.ts'
import type { GuestMemory } from '../memory.ts'
import { GuestTrap } from '../guest-trap.ts'
import { MAX_LOG_MESSAGE_BYTES } from '../limits.ts'

const utf16 = new TextDecoder('utf-16le')

/** Decodes an AssemblyScript string; an invalid pointer reads as "" (never throws). */
export function readAsString(mem: GuestMemory, ptr: number): string {
  if (ptr === 0 || ptr >>> 0 < 4) return ''
  const byteLen = mem.readU32(ptr - 4)
  if (byteLen === undefined) return ''
  const bytes = mem.view(ptr, Math.min(byteLen, MAX_LOG_MESSAGE_BYTES) & ~1)
  return bytes === undefined ? '' : utf16.decode(bytes)
}

export function envImports(host: AbiHost) {
  const mem = host.memory
  return {
    abort(messagePtr: number, fileNamePtr: number, line: number, column: number): never {
      const message = readAsString(mem, messagePtr) || 'abort'
      const file = readAsString(mem, fileNamePtr)
      throw new GuestTrap(message, file === '' ? undefined : `${file}:${line}:${column}`)
    },
    trace(messagePtr: number, n: number, a0: number, a1: number, a2: number, a3: number, a4: number): void {
      if (!host.isLogEnabled(LogLevel.Info)) return
      const args = [a0, a1, a2, a3, a4].slice(0, Math.max(0, Math.min(5, n)))
      const message = readAsString(mem, messagePtr)
      host.log(LogLevel.Info, args.length === 0 ? `trace: ${message}` : `trace: ${message} ${args.join(', ')}`)
    },
    seed(): number {
      return randomBytes(6).readUIntLE(0, 6)
    },
    emscripten_notify_memory_growth(_memoryIndex: number): void {},
    pthread_equal(a: number, b: number): number {
      return a === b ? 1 : 0
    },
  }
}
