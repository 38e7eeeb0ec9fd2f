// The proxy_on_* callbacks, one line each. A filter's entry file re-exports this module:
//   export * from "wasmgate/sdk/assembly/abi/exports"
// Only HTTP callbacks are exported (no TCP ones), so the host never calls what we do not handle.
// Each callback runs between enter() and leave(), where the SDK collects garbage (runtime/collect.ts);
// the allocator does not: it runs inside hostcalls and must never collect.
import * as d from "../runtime/dispatcher"
import { enter, leave } from "../runtime/collect"
import { allocate } from "../runtime/memory"

export function proxy_abi_version_0_2_1(): void {}

// cpp-host looks up `malloc` first, the spec prefers proxy_on_memory_allocate: export both.
export function malloc(size: usize): usize { return allocate(size) }
export function proxy_on_memory_allocate(size: usize): usize { return allocate(size) }

export function proxy_on_context_create(context_id: u32, parent_context_id: u32): void { enter(); d.onContextCreate(context_id, parent_context_id); leave() }
export function proxy_on_vm_start(root_context_id: u32, vm_configuration_size: u32): bool { enter(); const r = d.getRoot(root_context_id).onVmStart(vm_configuration_size); leave(); return r }
export function proxy_on_configure(root_context_id: u32, plugin_configuration_size: u32): bool { enter(); const r = d.getRoot(root_context_id).onConfigure(plugin_configuration_size); leave(); return r }
export function proxy_on_tick(root_context_id: u32): void { enter(); d.getRoot(root_context_id).onTick(); leave() }
export function proxy_on_queue_ready(root_context_id: u32, queue_id: u32): void { enter(); d.getRoot(root_context_id).onQueueReady(queue_id); leave() }
export function proxy_on_foreign_function(root_context_id: u32, function_id: u32, arguments_size: u32): void { enter(); d.getRoot(root_context_id).onForeignFunction(function_id, arguments_size); leave() }

export function proxy_on_request_headers(context_id: u32, num_headers: u32, end_of_stream: u32): u32 { enter(); const r = d.getHttp(context_id).onRequestHeaders(num_headers, end_of_stream != 0); leave(); return r }
export function proxy_on_request_body(context_id: u32, body_size: u32, end_of_stream: u32): u32 { enter(); const r = d.getHttp(context_id).onRequestBody(body_size, end_of_stream != 0); leave(); return r }
export function proxy_on_request_trailers(context_id: u32, num_trailers: u32): u32 { enter(); const r = d.getHttp(context_id).onRequestTrailers(num_trailers); leave(); return r }
export function proxy_on_response_headers(context_id: u32, num_headers: u32, end_of_stream: u32): u32 { enter(); const r = d.getHttp(context_id).onResponseHeaders(num_headers, end_of_stream != 0); leave(); return r }
export function proxy_on_response_body(context_id: u32, body_size: u32, end_of_stream: u32): u32 { enter(); const r = d.getHttp(context_id).onResponseBody(body_size, end_of_stream != 0); leave(); return r }
export function proxy_on_response_trailers(context_id: u32, num_trailers: u32): u32 { enter(); const r = d.getHttp(context_id).onResponseTrailers(num_trailers); leave(); return r }
export function proxy_on_log(context_id: u32): void { enter(); d.onLog(context_id); leave() }
export function proxy_on_done(context_id: u32): bool { enter(); const r = d.onDone(context_id); leave(); return r }
export function proxy_on_delete(context_id: u32): void { enter(); d.onDelete(context_id); leave() }

export function proxy_on_http_call_response(root_context_id: u32, token: u32, num_headers: u32, body_size: u32, num_trailers: u32): void { enter(); d.onHttpCallResponse(root_context_id, token, num_headers, body_size, num_trailers); leave() }
