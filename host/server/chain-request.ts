/**
 * @module
 * The request as a filter chain sees it and as it leaves the chain, shared by plain requests
 * (filtered-stream.ts) and upgrade handshakes (filtered-upgrade.ts): upstream-bound flat headers
 * (host included) to an HTTP/2-style HeaderMap with pseudo-headers and back, the route chosen
 * again from what the chain produced, and that route's rewrites.
 */
import type { StreamInfo } from '../filter/contract.ts'
import { HeaderMap } from '../filter/header-map.ts'
import type { ProxyContext, RouteRuntime } from './proxy-context.ts'
import { rewritePath, type CompiledRoute } from './router.ts'

/** `:method`, `:path`, `:authority` (from host), `:scheme`, then every other header. */
export function chainRequestHeaders(method: string, path: string, flat: readonly string[], isTls: boolean): HeaderMap {
  const out = [':method', method, ':path', path, ':authority', '', ':scheme', isTls ? 'https' : 'http']
  for (let i = 0; i < flat.length; i += 2) {
    if (flat[i] === 'host') out[5] = flat[i + 1] as string
    else out.push(flat[i] as string, flat[i + 1] as string)
  }
  return new HeaderMap(out)
}

/** Headers for upstream from the chain's output: no pseudo-headers, `host` from `:authority`, last. */
export function upstreamHeaders(headers: HeaderMap): string[] {
  const out: string[] = []
  // Walk the flat list: the HeaderMap iterator allocates a generator and an array per entry.
  const src = headers.flat
  for (let i = 0; i < src.length; i += 2) {
    const name = src[i] as string
    if (name.charCodeAt(0) !== 58 /* ':' */ && name !== 'host') out.push(name, src[i + 1] as string)
  }
  out.push('host', headers.get(':authority') ?? headers.get('host') ?? '')
  return out
}

/**
 * Envoy's router picks the route from the headers it is handed, and a Wasm filter that writes
 * request headers clears the cached one: the route for what the chain produced, or undefined.
 */
export function routeAgain(ctx: ProxyContext, method: string, path: string, flat: readonly string[]): RouteRuntime | undefined {
  const router = ctx.router
  // Filters write request headers on most requests (a trace id, say): build only what routes read.
  const fields: Record<string, string> = {}
  if (router.readsHeaders) {
    for (let i = 0; i < flat.length; i += 2) {
      const name = flat[i] as string
      fields[name] = fields[name] === undefined ? (flat[i + 1] as string) : `${fields[name]}, ${flat[i + 1] as string}`
    }
  } else {
    for (let i = 0; i < flat.length; i += 2) if (flat[i] === 'host') fields.host = flat[i + 1] as string
  }
  const match = router.match({ method, url: path, headers: fields })
  return match === undefined ? undefined : ctx.routes[match.index]
}

/** The stream now goes by `rt`: properties and logs name it from here on. */
export function noteRoute(info: StreamInfo, rt: RouteRuntime): void {
  info.routeName = rt.route.name
  info.clusterName = rt.cluster?.name
}

/**
 * The route's prefix and host rewrites, applied where Envoy's router applies them: after the
 * filters. Sets `host` in `headers`; returns the path.
 */
export function applyRouteRewrites(route: CompiledRoute, path: string, headers: string[]): string {
  const host = route.config.rewrite?.host
  if (host !== undefined) {
    for (let i = 0; i < headers.length; i += 2) if (headers[i] === 'host') headers[i + 1] = host
  }
  return rewritePath(route, path)
}
