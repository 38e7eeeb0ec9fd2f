// The proxy-wasm 0.2.1 host functions, declared with the spec's names and exact signatures
// (every pointer and size is an i32 on wasm32; the only i64 are the two metric values).
// No logic here: the safe wrappers live next to the API that uses them. An import is emitted
// into the .wasm only if some code calls it, so a filter imports exactly what it uses.
//
// ABI 0.1.0-only functions (proxy_get_configuration, proxy_continue_request/response,
// proxy_clear_route_cache) are deliberately absent: cpp-host refuses to link them for 0.2.1.

// Context and lifecycle
// @ts-ignore: decorator
@external("env", "proxy_done")
export declare function proxy_done(): u32
// @ts-ignore: decorator
@external("env", "proxy_set_effective_context")
export declare function proxy_set_effective_context(context_id: u32): u32

// Logging and clocks
// @ts-ignore: decorator
@external("env", "proxy_log")
export declare function proxy_log(level: u32, message_data: usize, message_size: usize): u32
// @ts-ignore: decorator
@external("env", "proxy_get_log_level")
export declare function proxy_get_log_level(return_level: usize): u32
// @ts-ignore: decorator
@external("env", "proxy_get_current_time_nanoseconds")
export declare function proxy_get_current_time_nanoseconds(return_time: usize): u32
// @ts-ignore: decorator
@external("env", "proxy_set_tick_period_milliseconds")
export declare function proxy_set_tick_period_milliseconds(period: u32): u32

// Buffers
// @ts-ignore: decorator
@external("env", "proxy_get_buffer_bytes")
export declare function proxy_get_buffer_bytes(buffer_type: u32, start: usize, max_size: usize, return_buffer_data: usize, return_buffer_size: usize): u32
// @ts-ignore: decorator
@external("env", "proxy_set_buffer_bytes")
export declare function proxy_set_buffer_bytes(buffer_type: u32, start: usize, size: usize, buffer_data: usize, buffer_size: usize): u32
// @ts-ignore: decorator
@external("env", "proxy_get_buffer_status")
export declare function proxy_get_buffer_status(buffer_type: u32, return_buffered_size: usize, return_flags: usize): u32

// HTTP fields (header and trailer maps)
// @ts-ignore: decorator
@external("env", "proxy_get_header_map_pairs")
export declare function proxy_get_header_map_pairs(map_type: u32, return_map_data: usize, return_map_size: usize): u32
// @ts-ignore: decorator
@external("env", "proxy_set_header_map_pairs")
export declare function proxy_set_header_map_pairs(map_type: u32, map_data: usize, map_size: usize): u32
// @ts-ignore: decorator
@external("env", "proxy_get_header_map_size")
export declare function proxy_get_header_map_size(map_type: u32, return_size: usize): u32
// @ts-ignore: decorator
@external("env", "proxy_get_header_map_value")
export declare function proxy_get_header_map_value(map_type: u32, key_data: usize, key_size: usize, return_value_data: usize, return_value_size: usize): u32
// @ts-ignore: decorator
@external("env", "proxy_add_header_map_value")
export declare function proxy_add_header_map_value(map_type: u32, key_data: usize, key_size: usize, value_data: usize, value_size: usize): u32
// @ts-ignore: decorator
@external("env", "proxy_replace_header_map_value")
export declare function proxy_replace_header_map_value(map_type: u32, key_data: usize, key_size: usize, value_data: usize, value_size: usize): u32
// @ts-ignore: decorator
@external("env", "proxy_remove_header_map_value")
export declare function proxy_remove_header_map_value(map_type: u32, key_data: usize, key_size: usize): u32

// Stream control and local replies
// @ts-ignore: decorator
@external("env", "proxy_continue_stream")
export declare function proxy_continue_stream(stream_type: u32): u32
// @ts-ignore: decorator
@external("env", "proxy_close_stream")
export declare function proxy_close_stream(stream_type: u32): u32
// @ts-ignore: decorator
@external("env", "proxy_send_local_response")
export declare function proxy_send_local_response(status_code: u32, status_code_details_data: usize, status_code_details_size: usize, body_data: usize, body_size: usize, headers_data: usize, headers_size: usize, grpc_status: i32): u32
// @ts-ignore: decorator
@external("env", "proxy_get_status")
export declare function proxy_get_status(return_status_code: usize, return_status_message_data: usize, return_status_message_size: usize): u32

// HTTP callouts
// @ts-ignore: decorator
@external("env", "proxy_http_call")
export declare function proxy_http_call(upstream_data: usize, upstream_size: usize, headers_data: usize, headers_size: usize, body_data: usize, body_size: usize, trailers_data: usize, trailers_size: usize, timeout_ms: u32, return_token: usize): u32

// gRPC callouts
// @ts-ignore: decorator
@external("env", "proxy_grpc_call")
export declare function proxy_grpc_call(upstream_data: usize, upstream_size: usize, service_name_data: usize, service_name_size: usize, method_name_data: usize, method_name_size: usize, initial_metadata_data: usize, initial_metadata_size: usize, message_data: usize, message_size: usize, timeout_ms: u32, return_token: usize): u32
// @ts-ignore: decorator
@external("env", "proxy_grpc_stream")
export declare function proxy_grpc_stream(upstream_data: usize, upstream_size: usize, service_name_data: usize, service_name_size: usize, method_name_data: usize, method_name_size: usize, initial_metadata_data: usize, initial_metadata_size: usize, return_token: usize): u32
// @ts-ignore: decorator
@external("env", "proxy_grpc_send")
export declare function proxy_grpc_send(token: u32, message_data: usize, message_size: usize, end_stream: u32): u32
// @ts-ignore: decorator
@external("env", "proxy_grpc_cancel")
export declare function proxy_grpc_cancel(token: u32): u32
// @ts-ignore: decorator
@external("env", "proxy_grpc_close")
export declare function proxy_grpc_close(token: u32): u32

// Shared data
// @ts-ignore: decorator
@external("env", "proxy_get_shared_data")
export declare function proxy_get_shared_data(key_data: usize, key_size: usize, return_value_data: usize, return_value_size: usize, return_cas: usize): u32
// @ts-ignore: decorator
@external("env", "proxy_set_shared_data")
export declare function proxy_set_shared_data(key_data: usize, key_size: usize, value_data: usize, value_size: usize, cas: u32): u32

// Shared queues
// @ts-ignore: decorator
@external("env", "proxy_register_shared_queue")
export declare function proxy_register_shared_queue(name_data: usize, name_size: usize, return_queue_id: usize): u32
// @ts-ignore: decorator
@external("env", "proxy_resolve_shared_queue")
export declare function proxy_resolve_shared_queue(vm_id_data: usize, vm_id_size: usize, name_data: usize, name_size: usize, return_queue_id: usize): u32
// @ts-ignore: decorator
@external("env", "proxy_enqueue_shared_queue")
export declare function proxy_enqueue_shared_queue(queue_id: u32, value_data: usize, value_size: usize): u32
// @ts-ignore: decorator
@external("env", "proxy_dequeue_shared_queue")
export declare function proxy_dequeue_shared_queue(queue_id: u32, return_value_data: usize, return_value_size: usize): u32

// Metrics
// @ts-ignore: decorator
@external("env", "proxy_define_metric")
export declare function proxy_define_metric(metric_type: u32, name_data: usize, name_size: usize, return_metric_id: usize): u32
// @ts-ignore: decorator
@external("env", "proxy_record_metric")
export declare function proxy_record_metric(metric_id: u32, value: u64): u32
// @ts-ignore: decorator
@external("env", "proxy_increment_metric")
export declare function proxy_increment_metric(metric_id: u32, offset: i64): u32
// @ts-ignore: decorator
@external("env", "proxy_get_metric")
export declare function proxy_get_metric(metric_id: u32, return_value: usize): u32

// Properties
// @ts-ignore: decorator
@external("env", "proxy_get_property")
export declare function proxy_get_property(path_data: usize, path_size: usize, return_value_data: usize, return_value_size: usize): u32
// @ts-ignore: decorator
@external("env", "proxy_set_property")
export declare function proxy_set_property(path_data: usize, path_size: usize, value_data: usize, value_size: usize): u32

// Foreign functions
// @ts-ignore: decorator
@external("env", "proxy_call_foreign_function")
export declare function proxy_call_foreign_function(function_name_data: usize, function_name_size: usize, parameters_data: usize, parameters_size: usize, return_results_data: usize, return_results_size: usize): u32

// WASI, only where the spec routes a feature through it (randomness for Math.random).
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "random_get")
export declare function random_get(buf: usize, buf_len: usize): u16
