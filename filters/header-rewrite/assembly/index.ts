// header-rewrite: rules that, when their conditions hold (path, method, headers), set, add and
// remove request and response headers (values are templates), and rewrite the path and host.
// Rules run in order on the request headers; each sees the request as earlier rules left it.
// Response actions run for the rules that matched the request. See README.md.
export {
  proxy_abi_version_0_2_1, malloc, proxy_on_memory_allocate, proxy_on_context_create, proxy_on_vm_start,
  proxy_on_configure, proxy_on_request_headers, proxy_on_response_headers, proxy_on_delete,
} from "wasmgate/sdk/assembly/abi/exports"
import { FilterHeadersStatus, HeaderMap, HttpContext, RootContext, registerRootContext, request, response } from "wasmgate/sdk/assembly"
import { Regex } from "./regex"
import { Actions, COND_ABSENT, COND_EQUALS, COND_MATCHES, COND_PRESENT, Rule, onlyKeys, readRules } from "./rules"
import { RequestVars } from "./request-vars"

class RewriteRoot extends RootContext {
  rules: Rule[] = []
  hasResponseActions: bool = false

  onConfigure(configurationSize: usize): bool {
    const cfg = this.config()
    onlyKeys(cfg, ["rules"])
    const rules = readRules(cfg)
    if (!cfg.check()) return false
    this.rules = rules
    this.hasResponseActions = false
    for (let i = 0; i < rules.length; i++) if (!rules[i].response.isEmpty) this.hasResponseActions = true
    return true
  }

  createHttpContext(contextId: u32): HttpContext {
    return new Rewrite(contextId, this)
  }
}

class Rewrite extends HttpContext {
  /** Bit i: rule i matched the request. */
  matched: u64 = 0
  vars: RequestVars = new RequestVars()
  /** For rules whose response templates use captures: the groups their regex captured. */
  savedGroups: Array<string[] | null> | null = null

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const rules = changetype<RewriteRoot>(this.root).rules
    const vars = this.vars
    for (let i = 0, n = rules.length; i < n; i++) {
      const rule = unchecked(rules[i])
      if (!this.matches(rule)) continue
      this.matched |= (<u64>1) << <u64>i
      vars.captures = rule.pathRegex
      if (rule.pathRegex != null && rule.response.usesCaptures) {
        // Other requests run the regex before our response comes: keep the groups themselves.
        if (this.savedGroups == null) this.savedGroups = new Array<string[] | null>(n)
        unchecked(this.savedGroups![i] = groupsOf(rule.pathRegex!))
      }
      apply(rule.request, request.headers, vars)
      this.rewrite(rule)
    }
    return FilterHeadersStatus.Continue
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const mask = this.matched
    if (mask == 0 || !changetype<RewriteRoot>(this.root).hasResponseActions) return FilterHeadersStatus.Continue
    const rules = changetype<RewriteRoot>(this.root).rules
    const vars = this.vars
    vars.isResponse = true
    for (let i = 0, n = rules.length; i < n; i++) {
      if ((mask & ((<u64>1) << <u64>i)) == 0) continue
      const rule = unchecked(rules[i])
      if (rule.response.isEmpty) continue
      vars.captures = null
      const saved = this.savedGroups
      vars.savedGroups = saved == null ? null : unchecked(saved[i])
      apply(rule.response, response.headers, vars)
    }
    return FilterHeadersStatus.Continue
  }

  matches(rule: Rule): bool {
    const vars = this.vars
    const methods = rule.methods
    if (methods.length > 0 && !methods.includes(vars.method())) return false
    if (rule.prefix != null && !vars.pathOnly().startsWith(rule.prefix!)) return false
    if (rule.exactPath != null && vars.pathOnly() != rule.exactPath!) return false
    if (rule.pathRegex != null && !rule.pathRegex!.exec(vars.pathOnly())) return false
    const conds = rule.headers
    for (let i = 0, n = conds.length; i < n; i++) {
      const c = unchecked(conds[i])
      const v = request.headers.get(c.name)
      if (c.mode == COND_PRESENT) {
        if (v == null) return false
      } else if (c.mode == COND_ABSENT) {
        if (v != null) return false
      } else if (c.mode == COND_EQUALS) {
        if (v == null || v != c.value) return false
      } else if (c.mode == COND_MATCHES) {
        if (v == null || !c.regex!.exec(v)) return false
      }
    }
    return true
  }

  rewrite(rule: Rule): void {
    const vars = this.vars
    let path: string | null = null
    if (rule.rewritePrefix != null) {
      path = rule.rewritePrefix! + vars.pathOnly().substring(rule.prefix!.length)
    } else if (rule.rewritePath != null) {
      path = rule.rewritePath!.render(vars)
    } else if (rule.rewriteRegex != null) {
      path = substitute(rule.rewriteRegex!, rule, vars)
    }
    if (path != null) {
      // An empty result, or one without a leading slash, would not be a valid request target.
      if (path.length == 0 || path.charCodeAt(0) != 0x2f) path = "/" + path
      vars.setPath(path)
      request.headers.set(":path", vars.fullPath())
    }
    if (rule.rewriteHost != null) {
      vars.captures = rule.pathRegex
      const host = rule.rewriteHost!.render(vars)
      if (host.length > 0) {
        request.headers.set(":authority", host)
        vars.host = host
      }
    }
  }
}

function groupsOf(re: Regex): string[] {
  const out = new Array<string>(re.groups + 1)
  for (let g = 0; g <= re.groups; g++) unchecked(out[g] = re.group(g))
  return out
}

/** Replaces every match of `re` in the path with the rule's substitution. */
function substitute(re: Regex, rule: Rule, vars: RequestVars): string {
  const s = vars.pathOnly()
  const subst = rule.rewriteSubstitution!
  let out = ""
  let at = 0
  const len = s.length
  while (at <= len && re.exec(s, at)) {
    const start = re.start(0)
    const end = re.end(0)
    vars.captures = re
    out += s.substring(at, start) + subst.render(vars)
    if (end == start) {
      // An empty match: keep the next character and move past it.
      if (start < len) out += s.charAt(start)
      at = end + 1
    } else at = end
  }
  if (at < len) out += s.substring(at)
  vars.captures = rule.pathRegex
  return out
}

function apply(actions: Actions, headers: HeaderMap, vars: RequestVars): void {
  const remove = actions.remove
  for (let i = 0, n = remove.length; i < n; i++) headers.remove(unchecked(remove[i]))
  const set = actions.setOps
  for (let i = 0, n = set.length; i < n; i++) {
    const op = unchecked(set[i])
    headers.set(op.name, op.value.render(vars))
  }
  const add = actions.addOps
  for (let i = 0, n = add.length; i < n; i++) {
    const op = unchecked(add[i])
    headers.add(op.name, op.value.render(vars))
  }
}

registerRootContext((contextId: u32): RootContext => new RewriteRoot(contextId))
