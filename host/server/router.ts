/**
 * @module
 * Route matching: routes are compiled once from the config and tried in order; the first
 * route whose every condition holds wins (Envoy and nginx `location` users expect this).
 * Conditions: path prefix or exact path (query ignored), host (exact or `*.suffix`, port
 * ignored, case-insensitive), method(s), and headers (present / exact value / regex).
 */
import type { HeaderMatchConfig, RouteConfig } from '../config/schema.ts'

export interface HeaderCondition {
  readonly name: string
  readonly value: string | undefined
  readonly regex: RegExp | undefined
  readonly present: boolean
}

export interface CompiledRoute {
  readonly index: number
  /** The config's name, or `route<index>`; labels metrics and logs. */
  readonly name: string
  readonly config: RouteConfig
  readonly prefix: string | undefined
  readonly path: string | undefined
  /** Lowercase exact host, or the lowercase suffix (with the dot) of a `*.` pattern. */
  readonly host: string | undefined
  readonly hostIsWildcard: boolean
  readonly methods: ReadonlySet<string> | undefined
  readonly headers: readonly HeaderCondition[]
}

/** What `match` needs from a request; plain values so the filter path can reuse it. */
export interface RouteQuery {
  readonly method: string
  /** Path with query string, as in the request line. */
  readonly url: string
  /** Lowercase name → value(s), as node's `req.headers` (`host` is read from here). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
}

export class Router {
  readonly routes: readonly CompiledRoute[]
  /** Some route matches on a header other than host: a query needs every header, not just host. */
  readonly readsHeaders: boolean

  constructor(routes: readonly RouteConfig[]) {
    this.routes = routes.map(compileRoute)
    this.readsHeaders = this.routes.some((r) => r.headers.length > 0)
  }

  match(q: RouteQuery): CompiledRoute | undefined {
    let path: string | undefined
    for (const r of this.routes) {
      if (r.prefix !== undefined || r.path !== undefined) {
        path ??= stripQuery(q.url)
        if (r.prefix !== undefined && !path.startsWith(r.prefix)) continue
        if (r.path !== undefined && path !== r.path) continue
      }
      if (r.host !== undefined && !hostMatches(r, (q.headers.host as string | undefined) ?? '')) continue
      if (r.methods !== undefined && !r.methods.has(q.method)) continue
      if (r.headers.length > 0 && !headersMatch(r.headers, q.headers)) continue
      return r
    }
    return undefined
  }
}

/** Applies a route's prefix rewrite to a request URL (query kept). */
export function rewritePath(route: CompiledRoute, url: string): string {
  const replacement = route.config.rewrite?.prefix
  if (replacement === undefined || route.prefix === undefined || !url.startsWith(route.prefix)) return url
  const rest = url.slice(route.prefix.length)
  let out = replacement + rest
  if (out === '' || out[0] === '?') out = `/${out}`
  else if (out[0] !== '/') out = `/${out}`
  return out.replace(/^\/\/+/, '/')
}

function compileRoute(config: RouteConfig, index: number): CompiledRoute {
  const m = config.match
  const host = m.host?.toLowerCase()
  const hostIsWildcard = host?.startsWith('*.') ?? false
  const methods = m.method === undefined ? undefined : new Set((Array.isArray(m.method) ? m.method : [m.method]).map((x) => x.toUpperCase()))
  return {
    index,
    name: config.name ?? `route${index}`,
    config,
    prefix: m.prefix,
    path: m.path,
    host: hostIsWildcard ? host?.slice(1) : host,
    hostIsWildcard,
    methods,
    headers: (m.headers ?? []).map(compileHeader),
  }
}

function compileHeader(h: HeaderMatchConfig): HeaderCondition {
  return {
    name: h.name.toLowerCase(),
    value: h.value,
    regex: h.regex === undefined ? undefined : new RegExp(h.regex),
    present: h.present ?? true,
  }
}

function stripQuery(url: string): string {
  const q = url.indexOf('?')
  return q === -1 ? url : url.slice(0, q)
}

function hostMatches(r: CompiledRoute, rawHost: string): boolean {
  let host = rawHost.toLowerCase()
  // Drop the port (but not the colons inside an IPv6 literal).
  const colon = host.lastIndexOf(':')
  if (colon !== -1 && host.indexOf(']') < colon) host = host.slice(0, colon)
  const want = r.host as string
  if (!r.hostIsWildcard) return host === want
  // `*.example.com` matches `a.example.com` and `a.b.example.com`, not `example.com`.
  return host.length > want.length && host.endsWith(want)
}

function headersMatch(conds: readonly HeaderCondition[], headers: RouteQuery['headers']): boolean {
  for (const c of conds) {
    const raw = headers[c.name]
    const value = Array.isArray(raw) ? raw.join(', ') : raw
    if (value === undefined) {
      if (c.present) return false
      continue
    }
    if (!c.present) return false
    if (c.value !== undefined && value !== c.value) return false
    if (c.regex !== undefined && !c.regex.test(value)) return false
  }
  return true
}
