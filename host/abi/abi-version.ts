/**
 * @module
 * ABI detection and the exact import surface of each version (cpp-host bytecode_util.cc
 * getAbiVersion; wasm.cc registerCallbacks). A module is linked with exactly its version's
 * imports, so importing another version's function is refused up front with its name.
 */
import type { AbiVersion } from './constants.ts'

export const ABI_MARKERS: ReadonlyArray<readonly [string, AbiVersion]> = [
  ['proxy_abi_version_0_2_1', '0.2.1'],
  ['proxy_abi_version_0_2_0', '0.2.0'],
  ['proxy_abi_version_0_1_0', '0.1.0'],
]

/** The ABI version a module declares through its exported marker function, or undefined. */
export function detectAbiVersion(exports: ReadonlyArray<WebAssembly.ModuleExportDescriptor>): AbiVersion | undefined {
  for (const [marker, version] of ABI_MARKERS) {
    if (exports.some((e) => e.name === marker && e.kind === 'function')) return version
  }
  return undefined
}

const COMMON_PROXY = [
  'proxy_log',
  'proxy_get_current_time_nanoseconds',
  'proxy_set_tick_period_milliseconds',
  'proxy_set_effective_context',
  'proxy_done',
  'proxy_call_foreign_function',
  'proxy_get_buffer_bytes',
  'proxy_set_buffer_bytes',
  'proxy_get_buffer_status',
  'proxy_get_header_map_pairs',
  'proxy_set_header_map_pairs',
  'proxy_get_header_map_value',
  'proxy_add_header_map_value',
  'proxy_replace_header_map_value',
  'proxy_remove_header_map_value',
  'proxy_get_header_map_size',
  'proxy_get_property',
  'proxy_set_property',
  'proxy_send_local_response',
  'proxy_http_call',
  'proxy_get_status',
  'proxy_grpc_call',
  'proxy_grpc_stream',
  'proxy_grpc_send',
  'proxy_grpc_cancel',
  'proxy_grpc_close',
  'proxy_get_shared_data',
  'proxy_set_shared_data',
  'proxy_register_shared_queue',
  'proxy_resolve_shared_queue',
  'proxy_enqueue_shared_queue',
  'proxy_dequeue_shared_queue',
  'proxy_define_metric',
  'proxy_increment_metric',
  'proxy_record_metric',
  'proxy_get_metric',
] as const

const VERSION_PROXY: Record<AbiVersion, readonly string[]> = {
  '0.1.0': ['proxy_get_configuration', 'proxy_continue_request', 'proxy_continue_response', 'proxy_clear_route_cache'],
  '0.2.0': ['proxy_continue_stream', 'proxy_close_stream'],
  '0.2.1': ['proxy_continue_stream', 'proxy_close_stream', 'proxy_get_log_level'],
}

/** `env` imports that are not proxy_* but that real modules carry (AssemblyScript, Emscripten). */
export const ENV_EXTRAS = ['abort', 'trace', 'seed', 'emscripten_notify_memory_growth', 'pthread_equal'] as const

export const WASI_MODULES = ['wasi_snapshot_preview1', 'wasi_unstable'] as const

/** The `env` proxy_* names a module of `version` is linked with. */
export function proxyImportNames(version: AbiVersion): readonly string[] {
  return [...COMMON_PROXY, ...(VERSION_PROXY[version] ?? [])]
}

/** Callbacks whose names cpp-host looks up; used to list what a module implements. */
export const CALLBACK_EXPORTS = [
  'proxy_on_context_create',
  'proxy_on_vm_start',
  'proxy_on_configure',
  'proxy_on_tick',
  'proxy_on_request_headers',
  'proxy_on_request_body',
  'proxy_on_request_trailers',
  'proxy_on_response_headers',
  'proxy_on_response_body',
  'proxy_on_response_trailers',
  'proxy_on_log',
  'proxy_on_done',
  'proxy_on_delete',
  'proxy_on_http_call_response',
  'proxy_on_grpc_receive_initial_metadata',
  'proxy_on_grpc_receive',
  'proxy_on_grpc_receive_trailing_metadata',
  'proxy_on_grpc_close',
  'proxy_on_queue_ready',
  'proxy_on_foreign_function',
  'proxy_validate_configuration',
  'proxy_on_new_connection',
  'proxy_on_downstream_data',
  'proxy_on_upstream_data',
  'proxy_on_downstream_connection_close',
  'proxy_on_upstream_connection_close',
] as const

/** The allocator cpp-host uses: `malloc` first, then `proxy_on_memory_allocate`. */
export function findAllocatorName(exports: ReadonlyArray<WebAssembly.ModuleExportDescriptor>): string | undefined {
  for (const name of ['malloc', 'proxy_on_memory_allocate']) {
    if (exports.some((e) => e.name === name && e.kind === 'function')) return name
  }
  return undefined
}
