// A filter written against @solo-io/proxy-runtime 0.1.8 (its README's "Hello, World" plus the
// SDK's other promises: local replies, root-context http calls, metrics, logging), compiled with
// the AssemblyScript it pins (0.14.9). test/interop/solo-io.test.ts runs it through wasmgate.
export * from "@solo-io/proxy-runtime/proxy"
import {
  RootContext, Context, registerRootContext, FilterHeadersStatusValues, stream_context, send_local_response,
  continue_request, GrpcStatusValues, HeaderPair, Counter, log, LogLevelValues,
} from "@solo-io/proxy-runtime"

let requests: Counter | null = null

class InteropRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new InteropContext(context_id, this)
  }
}

function header(k: string, v: string): HeaderPair {
  return new HeaderPair(String.UTF8.encode(k), String.UTF8.encode(v))
}

function calloutDone(origin: Context, headers: u32, body_size: usize, trailers: u32): void {
  stream_context.headers.request.add("x-solo-callout-status", stream_context.headers.http_callback.get(":status"))
  stream_context.headers.request.add("x-solo-callout-headers", headers.toString())
  continue_request()
}

class InteropContext extends Context {
  constructor(context_id: u32, root_context: InteropRoot) {
    super(context_id, root_context)
  }

  onRequestHeaders(a: u32, end_of_stream: bool): FilterHeadersStatusValues {
    if (requests == null) requests = new Counter("solo_interop_requests")
    ;(requests as Counter).increment(1)
    const path = stream_context.headers.request.get(":path")
    log(LogLevelValues.info, "solo-io interop saw " + path)
    if (path == "/solo-deny") {
      const extra = new Array<HeaderPair>()
      extra.push(header("x-solo-denied", "yes"))
      send_local_response(403, "solo_denied", String.UTF8.encode("denied by solo-io filter"), extra, GrpcStatusValues.InvalidCode)
      return FilterHeadersStatusValues.StopIteration
    }
    stream_context.headers.request.add("x-solo-path", path)
    if (path == "/solo-callout") {
      const hs = new Array<HeaderPair>()
      hs.push(header(":method", "GET"))
      hs.push(header(":path", "/from-solo"))
      hs.push(header(":authority", "callout"))
      this.root_context.httpCall("callout", hs, new ArrayBuffer(0), [], 5000, this, calloutDone)
      return FilterHeadersStatusValues.StopIteration
    }
    return FilterHeadersStatusValues.Continue
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

registerRootContext((context_id: u32) => { return new InteropRoot(context_id) }, "solo_interop")
