/**
 * @module
 * The WASI preview1 functions SDKs import, registered under both `wasi_snapshot_preview1` and
 * `wasi_unstable` with cpp-host's errno choices (spec "Logging", "Clocks", "Randomness",
 * "Environment variables", "Unimplemented WASI functions"). stdout/stderr go to the log; there
 * is no file system.
 */
import { randomFillSync } from 'node:crypto'
import type { AbiHost } from '../abi-host.ts'
import { Errno, WasiClock, WasiFd } from '../constants.ts'
import { MAX_LOG_MESSAGE_BYTES, MAX_RANDOM_BYTES } from '../limits.ts'
import { GuestTrap } from '../guest-trap.ts'
import { realtimeNs } from './clocks.ts'

const utf8 = new TextDecoder('utf-8')
const isStdio = (fd: number) => fd === WasiFd.Stdout || fd === WasiFd.Stderr

export function wasiImports(host: AbiHost) {
  const mem = host.memory

  function writeIovecs(fd: number, iovsPtr: number, iovsLen: number, retNwrittenPtr: number): number {
    if (!isStdio(fd)) return Errno.Badf
    if (!mem.inBounds(iovsPtr, (iovsLen >>> 0) * 8) || !mem.inBounds(retNwrittenPtr, 4)) return Errno.Fault
    const parts: Uint8Array[] = []
    let total = 0
    for (let i = 0; i < iovsLen >>> 0; i++) {
      const ptr = mem.readU32(iovsPtr + i * 8) as number
      const len = mem.readU32(iovsPtr + i * 8 + 4) as number
      const bytes = mem.view(ptr, len)
      if (bytes === undefined) return Errno.Fault
      total += len
      if (total <= MAX_LOG_MESSAGE_BYTES) parts.push(bytes.slice())
    }
    mem.writeU32(retNwrittenPtr, total)
    if (total > 0) {
      // One write per line is what console.log / println emit; drop the trailing newline.
      let text = utf8.decode(parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts))
      if (text.endsWith('\n')) text = text.slice(0, -1)
      host.writeStdio(fd, text)
    }
    return Errno.Success
  }

  const okForStdio = (fd: number) => (isStdio(fd) ? Errno.Success : Errno.Badf)
  const nosys = () => Errno.Nosys
  const notsup = () => Errno.Notsup

  return {
    fd_write: writeIovecs,
    fd_pwrite(fd: number, iovsPtr: number, iovsLen: number, _offset: bigint, retNwrittenPtr: number): number {
      return writeIovecs(fd, iovsPtr, iovsLen, retNwrittenPtr)
    },
    fd_read: nosys,
    fd_pread: nosys,
    fd_seek: () => Errno.Success,
    fd_close: () => Errno.Success,
    fd_fdstat_get(fd: number, retPtr: number): number {
      if (!isStdio(fd)) return Errno.Badf
      if (!mem.inBounds(retPtr, 24)) return Errno.Fault
      const u8 = mem.u8
      u8.fill(0, retPtr >>> 0, (retPtr >>> 0) + 24)
      u8[retPtr >>> 0] = 2 // filetype CHARACTER_DEVICE
      mem.writeU64(retPtr + 8, 64n) // rights_base = FD_WRITE
      return Errno.Success
    },
    fd_fdstat_set_flags: nosys,
    fd_fdstat_set_rights: okForStdio,
    fd_prestat_get: () => Errno.Badf, // no preopened directories
    fd_prestat_dir_name: nosys,
    fd_filestat_get: () => Errno.Badf,
    fd_filestat_set_size: okForStdio,
    fd_filestat_set_times: okForStdio,
    fd_advise: () => Errno.Success,
    fd_allocate: okForStdio,
    fd_datasync: okForStdio,
    fd_sync: okForStdio,
    fd_tell: okForStdio,
    fd_readdir: () => Errno.Notdir,
    fd_renumber: notsup,
    path_open: () => Errno.Noent,
    path_filestat_get: notsup,
    path_create_directory: notsup,
    path_filestat_set_times: notsup,
    path_link: notsup,
    path_readlink: notsup,
    path_remove_directory: notsup,
    path_rename: notsup,
    path_symlink: notsup,
    path_unlink_file: notsup,
    sock_accept: notsup,
    sock_recv: notsup,
    sock_send: notsup,
    sock_shutdown: notsup,
    proc_raise: nosys,
    sched_yield: () => Errno.Success,
    environ_sizes_get(retCountPtr: number, retBufSizePtr: number): number {
      const env = host.environ
      let size = 0
      for (const e of env) size += Buffer.byteLength(e) + 1
      if (!mem.writeU32(retCountPtr, env.length) || !mem.writeU32(retBufSizePtr, size)) return Errno.Fault
      return Errno.Success
    },
    environ_get(arrayPtr: number, bufPtr: number): number {
      let at = bufPtr >>> 0
      let slot = arrayPtr >>> 0
      for (const e of host.environ) {
        const bytes = Buffer.from(e + '\0')
        if (!mem.writeU32(slot, at) || !mem.writeBytes(at, bytes)) return Errno.Fault
        slot += 4
        at += bytes.length
      }
      return Errno.Success
    },
    args_sizes_get(retArgcPtr: number, retArgvBufSizePtr: number): number {
      if (!mem.writeU32(retArgcPtr, 0) || !mem.writeU32(retArgvBufSizePtr, 0)) return Errno.Fault
      return Errno.Success
    },
    args_get: () => Errno.Success,
    clock_time_get(clockId: number, _precision: bigint, retTimePtr: number): number {
      let ns: bigint
      if (clockId === WasiClock.Realtime) ns = realtimeNs()
      else if (clockId === WasiClock.Monotonic) ns = process.hrtime.bigint()
      else return Errno.Notsup
      return mem.writeU64(retTimePtr, ns) ? Errno.Success : Errno.Fault
    },
    clock_res_get(clockId: number, retResPtr: number): number {
      if (clockId !== WasiClock.Realtime && clockId !== WasiClock.Monotonic) return Errno.Notsup
      return mem.writeU64(retResPtr, 1n) ? Errno.Success : Errno.Fault
    },
    random_get(bufPtr: number, len: number): number {
      if (len >>> 0 > MAX_RANDOM_BYTES) return Errno.Inval
      const view = mem.view(bufPtr, len)
      if (view === undefined) return Errno.Fault
      randomFillSync(view)
      return Errno.Success
    },
    /** No events ever fire; the Go runtime only needs the call to succeed (cpp-host #497). */
    poll_oneoff(_inPtr: number, _outPtr: number, _nsubs: number, retNeventsPtr: number): number {
      return mem.writeU32(retNeventsPtr, 0) ? Errno.Success : Errno.Fault
    },
    proc_exit(code: number): never {
      throw new GuestTrap(`proc_exit(${code})`)
    },
  }
}

/** Every WASI name this host provides (the same set under both module names). */
export const WASI_FUNCTION_NAMES: ReadonlySet<string> = new Set(Object.keys(wasiImports({} as AbiHost)))
