// The proxy-wasm 0.2.1 import list with exact signatures (reference/proxy-wasm-abi.md §1.4 and
// §1.8), and a reader for a module's import section with each function's signature.

const P = (n: number): string => Array(n).fill('i32').join(',')
const sig = (params: string, result = 'i32'): string => `(${params})->(${result})`

export const SPEC_IMPORTS: Record<string, string> = {
  'env.proxy_done': sig(''),
  'env.proxy_set_effective_context': sig(P(1)),
  'env.proxy_log': sig(P(3)),
  'env.proxy_get_log_level': sig(P(1)),
  'env.proxy_get_current_time_nanoseconds': sig(P(1)),
  'env.proxy_set_tick_period_milliseconds': sig(P(1)),
  'env.proxy_get_buffer_bytes': sig(P(5)),
  'env.proxy_set_buffer_bytes': sig(P(5)),
  'env.proxy_get_buffer_status': sig(P(3)),
  'env.proxy_get_header_map_pairs': sig(P(3)),
  'env.proxy_set_header_map_pairs': sig(P(3)),
  'env.proxy_get_header_map_size': sig(P(2)),
  'env.proxy_get_header_map_value': sig(P(5)),
  'env.proxy_add_header_map_value': sig(P(5)),
  'env.proxy_replace_header_map_value': sig(P(5)),
  'env.proxy_remove_header_map_value': sig(P(3)),
  'env.proxy_continue_stream': sig(P(1)),
  'env.proxy_close_stream': sig(P(1)),
  'env.proxy_send_local_response': sig(P(8)),
  'env.proxy_get_status': sig(P(3)),
  'env.proxy_http_call': sig(P(10)),
  'env.proxy_grpc_call': sig(P(12)),
  'env.proxy_grpc_stream': sig(P(9)),
  'env.proxy_grpc_send': sig(P(4)),
  'env.proxy_grpc_cancel': sig(P(1)),
  'env.proxy_grpc_close': sig(P(1)),
  'env.proxy_get_shared_data': sig(P(5)),
  'env.proxy_set_shared_data': sig(P(5)),
  'env.proxy_register_shared_queue': sig(P(3)),
  'env.proxy_resolve_shared_queue': sig(P(5)),
  'env.proxy_enqueue_shared_queue': sig(P(3)),
  'env.proxy_dequeue_shared_queue': sig(P(3)),
  'env.proxy_define_metric': sig(P(4)),
  'env.proxy_record_metric': sig('i32,i64'),
  'env.proxy_increment_metric': sig('i32,i64'),
  'env.proxy_get_metric': sig(P(2)),
  'env.proxy_get_property': sig(P(4)),
  'env.proxy_set_property': sig(P(4)),
  'env.proxy_call_foreign_function': sig(P(6)),
  'wasi_snapshot_preview1.fd_write': sig(P(4)),
  'wasi_snapshot_preview1.clock_time_get': sig('i32,i64,i32'),
  'wasi_snapshot_preview1.random_get': sig(P(2)),
  'wasi_snapshot_preview1.environ_sizes_get': sig(P(2)),
  'wasi_snapshot_preview1.environ_get': sig(P(2)),
  'wasi_snapshot_preview1.args_sizes_get': sig(P(2)),
  'wasi_snapshot_preview1.args_get': sig(P(2)),
  'wasi_snapshot_preview1.proc_exit': sig(P(1), ''),
  'wasi_snapshot_preview1.sched_yield': sig(''),
  'wasi_snapshot_preview1.poll_oneoff': sig(P(4)),
  'wasi_snapshot_preview1.fd_fdstat_get': sig(P(2)),
  'wasi_snapshot_preview1.clock_res_get': sig(P(2)),
}

export interface ImportSignature {
  readonly module: string
  readonly name: string
  /** `(i32,i64)->(i32)`; non-function imports read `memory`, `table` or `global`. */
  readonly signature: string
}

const VALTYPE: Record<number, string> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128', 0x70: 'funcref', 0x6f: 'externref' }

/** Reads the type and import sections (enough of the binary format for this check). */
export function readImportSignatures(bytes: Uint8Array): ImportSignature[] {
  let p = 8
  const u32 = (): number => {
    let result = 0
    let shift = 0
    for (;;) {
      const b = bytes[p++] as number
      result |= (b & 0x7f) << shift
      if ((b & 0x80) === 0) return result >>> 0
      shift += 7
    }
  }
  const name = (): string => {
    const n = u32()
    const s = Buffer.from(bytes.subarray(p, p + n)).toString('utf8')
    p += n
    return s
  }
  const types: string[] = []
  const out: ImportSignature[] = []
  while (p < bytes.length) {
    const id = bytes[p++] as number
    const size = u32()
    const end = p + size
    if (id === 1) {
      for (let i = 0, n = u32(); i < n; i++) {
        p++ // 0x60 func
        const params = Array.from({ length: u32() }, () => VALTYPE[bytes[p++] as number] ?? '?')
        const results = Array.from({ length: u32() }, () => VALTYPE[bytes[p++] as number] ?? '?')
        types.push(`(${params.join(',')})->(${results.join(',')})`)
      }
    } else if (id === 2) {
      for (let i = 0, n = u32(); i < n; i++) {
        const module = name()
        const field = name()
        const kind = bytes[p++] as number
        const limits = (): void => {
          const flags = bytes[p++] as number
          u32()
          if (flags & 1) u32()
        }
        if (kind === 0) out.push({ module, name: field, signature: types[u32()] ?? '?' })
        else {
          if (kind === 1) {
            p++ // reftype
            limits()
          } else if (kind === 2) limits()
          else p += 2 // global: valtype, mutability
          out.push({ module, name: field, signature: ['table', 'memory', 'global'][kind - 1] ?? '?' })
        }
      }
    }
    p = end
  }
  return out
}
