// auth: API keys, JWT (HS256, RS256, ES256; inline keys or a JWKS fetched from a cluster),
// per-path rules and external authorization, as a standard proxy-wasm filter.
// Configuration: see ../README.md and ../config.schema.json.
export {
  proxy_abi_version_0_2_1, malloc, proxy_on_memory_allocate, proxy_on_context_create, proxy_on_vm_start,
  proxy_on_configure, proxy_on_tick, proxy_on_request_headers, proxy_on_request_body, proxy_on_request_trailers,
  proxy_on_http_call_response, proxy_on_delete,
} from "wasmgate/sdk/assembly/abi/exports"
import { HttpContext, RootContext, registerRootContext } from "wasmgate/sdk/assembly"
import { AuthHttp } from "./auth-http"
import { AuthRoot } from "./root"

class AuthPlugin extends AuthRoot {
  createHttpContext(contextId: u32): HttpContext {
    return new AuthHttp(contextId, this)
  }
}

registerRootContext((contextId: u32): RootContext => new AuthPlugin(contextId))
