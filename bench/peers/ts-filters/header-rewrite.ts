/**
 * @module
 * The header-rewrite filter's per-request logic as plain TypeScript, to compare the Wasm filter
 * with the same work done in the host (filters/header-rewrite is the reference; same config
 * format, same rule order, same templates). Regexes are JavaScript's RegExp here (a backtracking
 * engine; the filter's own engine is linear-time), so results agree for the patterns the filter
 * accepts that have no captures inside repeated groups. Wire it to a host hook API as:
 *
 *   const rw = createHeaderRewrite(config)
 *   const state = rw.onRequest(req)           // mutates req's headers, path and authority
 *   afterUpstream((res) => rw.onResponse(state, req, res))
 *
 * Config validation is minimal here (the Wasm filter checks every field).
 */

export interface HeaderAccess {
  get(name: string): string | undefined
  set(name: string, value: string): void
  add(name: string, value: string): void
  remove(name: string): void
}

export interface RewriteRequest {
  method: string
  /** `:path`, query included. */
  path: string
  authority: string
  scheme: string
  readonly headers: HeaderAccess
  /** `IP:PORT` of the peer. */
  readonly sourceAddress: string
  readonly routeName: string
  readonly requestId: string
}

interface ActionsConfig { remove?: string[]; set?: Record<string, string>; add?: Record<string, string> }
interface RuleConfig {
  match?: { prefix?: string; path?: string; regex?: string; methods?: string[]; headers?: Array<{ name: string; present?: boolean; equals?: string; matches?: string }> }
  request?: ActionsConfig
  response?: ActionsConfig
  rewrite?: { prefix?: string; path?: string; regex?: string; substitution?: string; host?: string }
}
export interface HeaderRewriteConfig { rules: RuleConfig[] }

/** Where a template's variables come from. */
interface Vars { req: RewriteRequest; res: HeaderAccess | undefined; groups: RegExpExecArray | null }
type Render = (v: Vars) => string

function compileTemplate(text: string): Render {
  const parts: Array<string | Render> = []
  const re = /\$\$|\$\{([^}]*)\}/g
  let at = 0
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m.index > at) parts.push(text.slice(at, m.index))
    at = re.lastIndex
    if (m[0] === '$$') {
      parts.push('$')
      continue
    }
    const [body = '', fallback = ''] = (m[1] as string).split('|')
    const colon = body.indexOf(':')
    const name = colon < 0 ? body : body.slice(0, colon)
    const arg = colon < 0 ? '' : body.slice(colon + 1).toLowerCase()
    const get: (v: Vars) => string | undefined =
      name === 'req' ? (v) => v.req.headers.get(arg)
      : name === 'resp' ? (v) => v.res?.get(arg)
      : name === 'client_ip' ? (v) => v.req.sourceAddress.slice(0, v.req.sourceAddress.lastIndexOf(':'))
      : name === 'client_address' ? (v) => v.req.sourceAddress
      : name === 'route' ? (v) => v.req.routeName
      : name === 'request_id' ? (v) => v.req.headers.get('x-request-id') ?? v.req.requestId
      : name === 'method' ? (v) => v.req.method
      : name === 'path' ? (v) => v.req.path
      : name === 'host' ? (v) => v.req.authority
      : name === 'scheme' ? (v) => v.req.scheme
      : /^\d$/.test(name) ? (v) => v.groups?.[Number(name)]
      : () => undefined
    parts.push((v) => get(v) || fallback)
  }
  if (at < text.length) parts.push(text.slice(at))
  if (parts.every((p) => typeof p === 'string')) {
    const literal = parts.join('')
    return () => literal
  }
  return (v) => parts.map((p) => (typeof p === 'string' ? p : p(v))).join('')
}

interface Actions { remove: string[]; set: Array<[string, Render]>; add: Array<[string, Render]> }
const actions = (a: ActionsConfig | undefined): Actions => ({
  remove: (a?.remove ?? []).map((n) => n.toLowerCase()),
  set: Object.entries(a?.set ?? {}).map(([k, t]) => [k.toLowerCase(), compileTemplate(t)]),
  add: Object.entries(a?.add ?? {}).map(([k, t]) => [k.toLowerCase(), compileTemplate(t)]),
})

function apply(a: Actions, headers: HeaderAccess, v: Vars): void {
  for (const n of a.remove) headers.remove(n)
  for (const [n, t] of a.set) headers.set(n, t(v))
  for (const [n, t] of a.add) headers.add(n, t(v))
}

const jsRegex = (p: string, flags = ''): RegExp => (p.startsWith('(?i)') ? new RegExp(p.slice(4), `i${flags}`) : new RegExp(p, flags))

export function createHeaderRewrite(config: HeaderRewriteConfig) {
  const rules = config.rules.map((r) => ({
    prefix: r.match?.prefix,
    exact: r.match?.path,
    regex: r.match?.regex === undefined ? undefined : jsRegex(r.match.regex),
    methods: r.match?.methods?.map((m) => m.toUpperCase()),
    headers: (r.match?.headers ?? []).map((h) => ({ name: h.name.toLowerCase(), present: h.present, equals: h.equals, matches: h.matches === undefined ? undefined : jsRegex(h.matches) })),
    request: actions(r.request),
    response: actions(r.response),
    rewritePrefix: r.rewrite?.prefix,
    rewritePath: r.rewrite?.path === undefined ? undefined : compileTemplate(r.rewrite.path),
    rewriteRegex: r.rewrite?.regex === undefined ? undefined : jsRegex(r.rewrite.regex, 'g'),
    substitution: r.rewrite?.substitution === undefined ? undefined : compileTemplate(r.rewrite.substitution),
    rewriteHost: r.rewrite?.host === undefined ? undefined : compileTemplate(r.rewrite.host),
  }))
  type Rule = (typeof rules)[number]

  function matches(rule: Rule, req: RewriteRequest, pathOnly: string): RegExpExecArray | null | false {
    if (rule.methods && !rule.methods.includes(req.method)) return false
    if (rule.prefix !== undefined && !pathOnly.startsWith(rule.prefix)) return false
    if (rule.exact !== undefined && pathOnly !== rule.exact) return false
    let groups: RegExpExecArray | null = null
    if (rule.regex) {
      groups = rule.regex.exec(pathOnly)
      if (groups === null) return false
    }
    for (const h of rule.headers) {
      const v = req.headers.get(h.name)
      if (h.present === true && v === undefined) return false
      if (h.present === false && v !== undefined) return false
      if (h.equals !== undefined && v !== h.equals) return false
      if (h.matches && (v === undefined || !h.matches.test(v))) return false
    }
    return groups
  }

  return {
    onRequest(req: RewriteRequest): Array<{ rule: Rule; groups: RegExpExecArray | null }> {
      const matched: Array<{ rule: Rule; groups: RegExpExecArray | null }> = []
      for (const rule of rules) {
        const q = req.path.indexOf('?')
        const pathOnly = q < 0 ? req.path : req.path.slice(0, q)
        const query = q < 0 ? '' : req.path.slice(q)
        const groups = matches(rule, req, pathOnly)
        if (groups === false) continue
        matched.push({ rule, groups })
        const v: Vars = { req, res: undefined, groups }
        apply(rule.request, req.headers, v)
        let path: string | undefined
        if (rule.rewritePrefix !== undefined) path = rule.rewritePrefix + pathOnly.slice((rule.prefix as string).length)
        else if (rule.rewritePath) path = rule.rewritePath(v)
        else if (rule.rewriteRegex && rule.substitution) {
          const subst = rule.substitution
          path = pathOnly.replace(rule.rewriteRegex, (...m: unknown[]) => subst({ req, res: undefined, groups: m.slice(0, -2) as unknown as RegExpExecArray }))
        }
        if (path !== undefined) {
          if (!path.startsWith('/')) path = `/${path}`
          req.path = path.includes('?') ? path : path + query
          req.headers.set(':path', req.path)
        }
        if (rule.rewriteHost) {
          const host = rule.rewriteHost(v)
          if (host !== '') {
            req.authority = host
            req.headers.set(':authority', host)
          }
        }
      }
      return matched
    },

    onResponse(state: Array<{ rule: Rule; groups: RegExpExecArray | null }>, req: RewriteRequest, res: HeaderAccess): void {
      for (const { rule, groups } of state) apply(rule.response, res, { req, res, groups })
    },
  }
}
