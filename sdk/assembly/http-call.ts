// HTTP callouts (proxy_http_call) to a cluster the proxy knows by name, and their responses.
import { proxy_get_status, proxy_http_call } from "./abi/imports"
import { BufferType, MapType, Status } from "./abi/types"
import { Body } from "./body"
import { HeaderMap } from "./headers"
import { log } from "./log"
import { expectOk } from "./runtime/abort"
import { OUT_EXTRA, OUT_PTR, OUT_SIZE, encodeAt, scratch, scratchBase, takeString } from "./runtime/memory"
import { HeaderPair, encodePairs } from "./runtime/pairs"

/** The response to an http call; read it inside the callback (the host frees it after). */
export class HttpCallResponse {
  /** The call's headers (with `:status`), valid during the callback. */
  readonly headers: HeaderMap = new HeaderMap(MapType.HttpCallResponseHeaders)
  readonly trailers: HeaderMap = new HeaderMap(MapType.HttpCallResponseTrailers)
  readonly body: Body = new Body(BufferType.HttpCallResponseBody)

  constructor(
    public readonly token: u32,
    public readonly numHeaders: u32,
    public readonly bodySize: usize,
    public readonly numTrailers: u32,
  ) {}

  /** True when the call failed (timeout, reset, no endpoint): the host sends no headers then. */
  get failed(): bool {
    return this.numHeaders == 0
  }

  /** The HTTP status, or 0 when the call failed. */
  get status(): u32 {
    const s = this.headers.get(":status")
    if (s == null) return 0
    let code: u32 = 0
    for (let i = 0; i < s.length; i++) code = code * 10 + <u32>(s.charCodeAt(i) - 0x30)
    return code
  }

  /** The body as UTF-8 text ("" when empty). */
  bodyText(): string {
    const t = this.body.text()
    return t == null ? "" : t
  }

  /** Why the call failed, as the host reports it through proxy_get_status (e.g. "timeout"). */
  failureReason(): string {
    if (proxy_get_status(OUT_EXTRA, OUT_PTR, OUT_SIZE) != Status.Ok) return ""
    return takeString(load<u32>(OUT_PTR), load<u32>(OUT_SIZE))
  }
}

/**
 * Sends the request; returns its token (any u32, 0 included), or -1 when the host refused it
 * (unknown cluster, or a missing `:method`, `:path` or `:authority`), after logging why.
 */
export function dispatchHttpCall(cluster: string, headers: HeaderPair[], body: ArrayBuffer | null, trailers: HeaderPair[] | null, timeoutMs: u32): i64 {
  const c = encodeAt(cluster, 0)
  const h = encodePairs(headers, c)
  let t: usize = 0
  if (trailers != null && trailers.length > 0) t = encodePairs(trailers, c + h)
  const blen: usize = body == null ? 0 : <usize>body.byteLength
  scratch(c + h + t + 4)
  const base = scratchBase()
  const tokenAt = base + c + h + t
  const bptr: usize = body == null ? 0 : changetype<usize>(body)
  const status = proxy_http_call(base, c, base + c, h, bptr, blen, t == 0 ? 0 : base + c + h, t, timeoutMs, tokenAt)
  if (status == Status.BadArgument || status == Status.NotFound || status == Status.InternalFailure) {
    log.warn("http call to cluster '" + cluster + "' refused (status " + status.toString() + "): the cluster must exist and headers need :method, :path and :authority")
    return -1
  }
  expectOk(status, "proxy_http_call")
  return <i64>load<u32>(tokenAt)
}
