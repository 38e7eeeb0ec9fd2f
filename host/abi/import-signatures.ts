/**
 * @module
 * The exact Wasm type of every import the host provides. A JS function can be linked under any
 * signature, so WebAssembly.Instance never refuses a wrong one: the module cache compares the
 * module's declared import types with this table instead. Notation: params `->` results, with
 * i = i32, I = i64, F = f64 (cpp-host exports.h; WASI preview1 witx).
 */

const P = (n: number): string => `${'i'.repeat(n)}->i`

export const PROXY_SIGNATURES: Readonly<Record<string, string>> = {
  proxy_log: P(3),
  proxy_get_log_level: P(1),
  proxy_get_current_time_nanoseconds: P(1),
  proxy_set_tick_period_milliseconds: P(1),
  proxy_set_effective_context: P(1),
  proxy_done: P(0),
  proxy_call_foreign_function: P(6),
  proxy_get_buffer_bytes: P(5),
  proxy_set_buffer_bytes: P(5),
  proxy_get_buffer_status: P(3),
  proxy_get_header_map_pairs: P(3),
  proxy_set_header_map_pairs: P(3),
  proxy_get_header_map_value: P(5),
  proxy_add_header_map_value: P(5),
  proxy_replace_header_map_value: P(5),
  proxy_remove_header_map_value: P(3),
  proxy_get_header_map_size: P(2),
  proxy_get_property: P(4),
  proxy_set_property: P(4),
  proxy_send_local_response: P(8),
  proxy_http_call: P(10),
  proxy_get_status: P(3),
  proxy_grpc_call: P(12),
  proxy_grpc_stream: P(9),
  proxy_grpc_send: P(4),
  proxy_grpc_cancel: P(1),
  proxy_grpc_close: P(1),
  proxy_get_shared_data: P(5),
  proxy_set_shared_data: P(5),
  proxy_register_shared_queue: P(3),
  proxy_resolve_shared_queue: P(5),
  proxy_enqueue_shared_queue: P(3),
  proxy_dequeue_shared_queue: P(3),
  proxy_define_metric: P(4),
  proxy_increment_metric: 'iI->i',
  proxy_record_metric: 'iI->i',
  proxy_get_metric: P(2),
  proxy_get_configuration: P(2),
  // 0.1.0: the spec text says "returns none", cpp-host declares i32 (reference §1.4): follow the host.
  proxy_continue_request: P(0),
  proxy_continue_response: P(0),
  proxy_clear_route_cache: P(0),
  proxy_continue_stream: P(1),
  proxy_close_stream: P(1),
}

export const ENV_SIGNATURES: Readonly<Record<string, string>> = {
  abort: 'iiii->',
  trace: 'iiFFFFF->',
  seed: '->F',
  emscripten_notify_memory_growth: 'i->',
  pthread_equal: 'ii->i',
}

/** WASI preview1 functions with a fixed signature; the remaining stubs accept any. */
export const WASI_SIGNATURES: Readonly<Record<string, string>> = {
  fd_write: P(4),
  fd_pwrite: 'iiiIi->i',
  fd_read: P(4),
  fd_pread: 'iiiIi->i',
  fd_seek: 'iIii->i',
  fd_close: P(1),
  fd_fdstat_get: P(2),
  fd_fdstat_set_flags: P(2),
  fd_fdstat_set_rights: 'iII->i',
  fd_prestat_get: P(2),
  fd_prestat_dir_name: P(3),
  fd_filestat_get: P(2),
  fd_filestat_set_size: 'iI->i',
  fd_filestat_set_times: 'iIIi->i',
  fd_advise: 'iIIi->i',
  fd_allocate: 'iII->i',
  fd_datasync: P(1),
  fd_sync: P(1),
  fd_tell: P(2),
  fd_readdir: 'iiiIi->i',
  fd_renumber: P(2),
  path_open: 'iiiiiIIii->i',
  path_filestat_get: P(5),
  environ_get: P(2),
  environ_sizes_get: P(2),
  args_get: P(2),
  args_sizes_get: P(2),
  clock_time_get: 'iIi->i',
  clock_res_get: P(2),
  random_get: P(2),
  sched_yield: P(0),
  poll_oneoff: P(4),
  proc_exit: 'i->',
}

/** The expected signature of `module.name`, or undefined when any signature is accepted. */
export function expectedSignature(module: string, name: string): string | undefined {
  if (module === 'env') return PROXY_SIGNATURES[name] ?? ENV_SIGNATURES[name]
  return WASI_SIGNATURES[name]
}
