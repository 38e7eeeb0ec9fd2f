// add-header: the SDK's example filter. Adds one configured header to every request (so the
// upstream sees it) and to every response (so the client sees it).
//
// Configuration (JSON): { "name": "x-hello", "value": "world" }; both optional.
// Only the callbacks this filter uses are exported: smaller, and the host can pipe bodies
// without calling the filter. (`export * from "wasmgate/sdk/assembly/abi/exports"` exports all.)
export {
  proxy_abi_version_0_2_1, malloc, proxy_on_memory_allocate, proxy_on_context_create, proxy_on_vm_start,
  proxy_on_configure, proxy_on_request_headers, proxy_on_response_headers, proxy_on_delete,
} from "wasmgate/sdk/assembly/abi/exports"
import { FilterHeadersStatus, HttpContext, RootContext, registerRootContext } from "wasmgate/sdk/assembly"

class AddHeaderRoot extends RootContext {
  name: string = "x-wasmgate"
  value: string = "1"

  onConfigure(configurationSize: usize): bool {
    const cfg = this.config()
    this.name = cfg.stringOr("name", this.name)
    this.value = cfg.stringOr("value", this.value)
    if (this.name.length == 0) cfg.invalid("name", "must not be empty")
    return cfg.check()
  }

  createHttpContext(contextId: u32): HttpContext {
    return new AddHeader(contextId, this)
  }
}

class AddHeader extends HttpContext {
  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const root = changetype<AddHeaderRoot>(this.root)
    this.request.headers.set(root.name, root.value)
    return FilterHeadersStatus.Continue
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const root = changetype<AddHeaderRoot>(this.root)
    this.response.headers.set(root.name, root.value)
    return FilterHeadersStatus.Continue
  }
}

registerRootContext((contextId: u32): RootContext => new AddHeaderRoot(contextId))
