// The add-header filter again, written with another AssemblyScript SDK from npm
// (@gcoredev/proxy-wasm-sdk-as), for the size and per-request cost comparison. Same behaviour:
// sets `name: value` (plugin configuration "name:value") on the request and on the response.
export * from "@gcoredev/proxy-wasm-sdk-as/assembly/proxy"
import { Context, FilterHeadersStatusValues, RootContext, registerRootContext, stream_context } from "@gcoredev/proxy-wasm-sdk-as/assembly"

class PeerRoot extends RootContext {
  name: string = "x-bench"
  value: string = "1"

  onConfigure(configurationSize: u32): bool {
    super.onConfigure(configurationSize)
    const cfg = this.getConfiguration()
    const colon = cfg.indexOf(":")
    if (colon > 0) {
      this.name = cfg.slice(0, colon)
      this.value = cfg.slice(colon + 1)
    }
    return true
  }

  createContext(contextId: u32): Context {
    return new PeerAddHeader(contextId, this)
  }
}

class PeerAddHeader extends Context {
  onRequestHeaders(a: u32, endOfStream: bool): FilterHeadersStatusValues {
    const root = changetype<PeerRoot>(this.root_context)
    stream_context.headers.request.replace(root.name, root.value)
    return FilterHeadersStatusValues.Continue
  }

  onResponseHeaders(a: u32, endOfStream: bool): FilterHeadersStatusValues {
    const root = changetype<PeerRoot>(this.root_context)
    stream_context.headers.response.replace(root.name, root.value)
    return FilterHeadersStatusValues.Continue
  }
}

registerRootContext((contextId: u32): RootContext => new PeerRoot(contextId), "peer-add-header")
