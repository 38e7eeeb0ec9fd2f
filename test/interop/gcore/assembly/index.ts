// A filter written against @gcoredev/proxy-wasm-sdk-as 1.2.3 (its README's "Hello, World" plus
// what its source offers: headers, local replies, root-context http calls, request body rewrite,
// environment variables through wasi-shim, logging through WASI stdout), compiled with the
// AssemblyScript 0.28 + wasi-shim it targets. test/interop/gcore.test.ts runs it through wasmgate.
export * from "@gcoredev/proxy-wasm-sdk-as/assembly/proxy"
import {
  RootContext, Context, BaseContext, registerRootContext, FilterHeadersStatusValues, FilterDataStatusValues, stream_context,
  send_local_response, continue_request, GrpcStatusValues, HeaderPair, makeHeaderPair, log, LogLevelValues,
  get_buffer_bytes, set_buffer_bytes, BufferTypeValues, Counter, get_shared_data, set_shared_data,
  set_tick_period_milliseconds, WasmResultValues,
} from "@gcoredev/proxy-wasm-sdk-as/assembly"
import { getEnvVar } from "@gcoredev/proxy-wasm-sdk-as/assembly/fastedge"

let requests: Counter | null = null

class InteropRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new InteropContext(context_id, this)
  }

  onConfigure(configuration_size: u32): bool {
    const ok = super.onConfigure(configuration_size)
    set_tick_period_milliseconds(10)
    return ok
  }

  // Counts ticks in shared data with compare-and-swap, as the SDK's API promises.
  onTick(): void {
    const cur = get_shared_data("gcore-ticks")
    let n: i32 = 0
    if (cur.result == WasmResultValues.Ok && cur.value != null) n = I32.parseInt(String.UTF8.decode(cur.value as ArrayBuffer))
    set_shared_data("gcore-ticks", String.UTF8.encode((n + 1).toString()), cur.result == WasmResultValues.Ok ? cur.cas : 0)
  }
}

function ticksSoFar(): string {
  const cur = get_shared_data("gcore-ticks")
  if (cur.result != WasmResultValues.Ok || cur.value == null) return "0"
  return String.UTF8.decode(cur.value as ArrayBuffer)
}

function calloutDone(origin: BaseContext, headers: u32, body_size: usize, trailers: u32): void {
  stream_context.headers.request.add("x-gcore-callout-status", stream_context.headers.http_callback.get(":status"))
  continue_request()
}

class InteropContext extends Context {
  constructor(context_id: u32, root_context: InteropRoot) {
    super(context_id, root_context)
  }

  onRequestHeaders(a: u32, end_of_stream: bool): FilterHeadersStatusValues {
    if (requests == null) requests = new Counter("gcore_interop_requests")
    ;(requests as Counter).increment(1)
    const path = stream_context.headers.request.get(":path")
    log(LogLevelValues.info, "gcore interop saw " + path)
    if (path == "/gcore-deny") {
      const extra = new Array<HeaderPair>()
      extra.push(makeHeaderPair("x-gcore-denied", "yes"))
      send_local_response(403, "gcore_denied", String.UTF8.encode("denied by gcore filter"), extra, GrpcStatusValues.InvalidCode)
      return FilterHeadersStatusValues.StopIteration
    }
    stream_context.headers.request.add("x-gcore-path", path)
    stream_context.headers.request.add("x-gcore-env", getEnvVar("GREETING"))
    stream_context.headers.request.add("x-gcore-ticks", ticksSoFar())
    if (path == "/gcore-callout") {
      const hs = new Array<HeaderPair>()
      hs.push(makeHeaderPair(":method", "GET"))
      hs.push(makeHeaderPair(":path", "/from-gcore"))
      hs.push(makeHeaderPair(":authority", "callout"))
      this.root_context.httpCall("callout", hs, new ArrayBuffer(0), [], 5000, this, calloutDone)
      return FilterHeadersStatusValues.StopIteration
    }
    return FilterHeadersStatusValues.Continue
  }

  onRequestBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatusValues {
    if (!end_of_stream) return FilterDataStatusValues.StopIterationAndBuffer
    const body = String.UTF8.decode(get_buffer_bytes(BufferTypeValues.HttpRequestBody, 0, <u32>body_buffer_length))
    set_buffer_bytes(BufferTypeValues.HttpRequestBody, 0, <u32>body_buffer_length, String.UTF8.encode("gcore:" + body))
    return FilterDataStatusValues.Continue
  }

  onResponseHeaders(a: u32, end_of_stream: bool): FilterHeadersStatusValues {
    const root_context = this.root_context
    if (root_context.getConfiguration() == "") {
      stream_context.headers.response.add("hello", "world!")
    } else {
      stream_context.headers.response.add("hello", root_context.getConfiguration())
    }
    return FilterHeadersStatusValues.Continue
  }
}

registerRootContext((context_id: u32) => { return new InteropRoot(context_id) }, "gcore_interop")
