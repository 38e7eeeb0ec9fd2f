// The configuration, read once in onConfigure into rules with compiled regexes and templates.
// Every problem is recorded with its path (`rules[2].match.regex: ...`) so the filter refuses
// the whole configuration with one log line per wrong field.
import { Config, ConfigArray } from "wasmgate/sdk/assembly"
import { Regex, regexError } from "./regex"
import { Template, asciiCase, templateError } from "./template"

/** Rules are tracked per request in a 64-bit mask. */
export const MAX_RULES = 64

export const COND_PRESENT: i32 = 0
export const COND_ABSENT: i32 = 1
export const COND_EQUALS: i32 = 2
export const COND_MATCHES: i32 = 3

export class HeaderCondition {
  value: string = ""
  regex: Regex | null = null
  constructor(public name: string, public mode: i32) {}
}

export class HeaderOp {
  constructor(public name: string, public value: Template) {}
}

export class Actions {
  remove: string[] = []
  setOps: HeaderOp[] = []
  addOps: HeaderOp[] = []
  /** Some value refers to ${N} capture groups. */
  usesCaptures: bool = false
  get isEmpty(): bool { return this.remove.length == 0 && this.setOps.length == 0 && this.addOps.length == 0 }
}

export class Rule {
  // Conditions (all must hold; none means always).
  prefix: string | null = null
  exactPath: string | null = null
  pathRegex: Regex | null = null
  hasRegexCondition: bool = false
  methods: string[] = []
  headers: HeaderCondition[] = []
  // Actions.
  request: Actions = new Actions()
  response: Actions = new Actions()
  rewritePrefix: string | null = null
  rewritePath: Template | null = null
  rewriteRegex: Regex | null = null
  rewriteSubstitution: Template | null = null
  rewriteHost: Template | null = null

  /** True when some condition or action reads the request's path. */
  get needsPath(): bool {
    return this.prefix != null || this.exactPath != null || this.pathRegex != null || this.rewritePrefix != null || this.rewritePath != null || this.rewriteRegex != null
  }
}

function compileRegex(cfg: Config, key: string): Regex | null {
  const source = cfg.stringOr(key, "")
  if (!cfg.has(key)) return null
  const re = Regex.compile(source)
  if (re == null) cfg.invalid(key, "invalid regex: " + regexError)
  return re
}

function compileTemplate(cfg: Config, key: string, maxGroup: i32, where: string): Template | null {
  const text = cfg.stringOr(key, "")
  if (!cfg.has(key)) return null
  const t = Template.parse(text)
  if (t == null) {
    cfg.invalid(key, templateError)
    return null
  }
  if (t.usesCaptures && maxGroup < 0) cfg.invalid(key, "uses ${N} capture groups but there is no " + where)
  else if (t.usesCaptures && t.maxGroup() > maxGroup) cfg.invalid(key, "refers to capture group ${" + t.maxGroup().toString() + "} but " + where + " has " + maxGroup.toString() + " groups")
  return t
}

function isHeaderName(name: string): bool {
  if (name.length == 0) return false
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x5f || c == 0x2e || c == 0x21 || c == 0x23 || c == 0x24 || c == 0x25 || c == 0x26 || c == 0x27 || c == 0x2a || c == 0x2b || c == 0x5e || c == 0x60 || c == 0x7c || c == 0x7e
    if (!ok) return false
  }
  return true
}

function headerName(raw: string, cfg: Config, key: string): string {
  const name = asciiCase(raw, false)
  if (!isHeaderName(name)) cfg.invalid(key, "'" + raw + "' is not a header name (pseudo-headers: use rewrite.path or rewrite.host)")
  return name
}

function readOps(cfg: Config, key: string, maxGroup: i32, isResponse: bool, out: HeaderOp[]): void {
  const obj = cfg.objectOr(key)
  if (obj == null) return
  const keys = obj.keys()
  for (let i = 0; i < keys.length; i++) {
    const raw = keys[i]
    const name = headerName(raw, obj, raw)
    const t = compileTemplate(obj, raw, maxGroup, "match.regex")
    if (t == null) continue
    if (t.usesResponse && !isResponse) obj.invalid(raw, "${resp:...} is only available in response actions")
    out.push(new HeaderOp(name, t))
  }
}

function readActions(cfg: Config, key: string, maxGroup: i32, isResponse: bool): Actions {
  const a = new Actions()
  const obj = cfg.objectOr(key)
  if (obj == null) return a
  onlyKeys(obj, ["remove", "set", "add"])
  const remove = obj.arrayOr("remove")
  for (let i = 0; i < remove.length; i++) {
    const raw = remove.string(i)
    const name = asciiCase(raw, false)
    if (!isHeaderName(name)) obj.invalid("remove", "'" + raw + "' is not a header name")
    a.remove.push(name)
  }
  readOps(obj, "set", maxGroup, isResponse, a.setOps)
  readOps(obj, "add", maxGroup, isResponse, a.addOps)
  for (let i = 0; i < a.setOps.length; i++) if (a.setOps[i].value.usesCaptures) a.usesCaptures = true
  for (let i = 0; i < a.addOps.length; i++) if (a.addOps[i].value.usesCaptures) a.usesCaptures = true
  return a
}

function readMatch(rule: Rule, cfg: Config): void {
  const m = cfg.objectOr("match")
  if (m == null) return
  onlyKeys(m, ["prefix", "path", "regex", "methods", "headers"])
  let kinds = 0
  if (m.has("prefix")) {
    rule.prefix = m.stringOr("prefix", "/")
    kinds++
  }
  if (m.has("path")) {
    rule.exactPath = m.stringOr("path", "/")
    kinds++
  }
  if (m.has("regex")) {
    rule.hasRegexCondition = true
    rule.pathRegex = compileRegex(m, "regex")
    kinds++
  }
  if (kinds > 1) m.invalid("prefix", "use only one of prefix, path and regex")
  const methods = m.arrayOr("methods")
  for (let i = 0; i < methods.length; i++) rule.methods.push(asciiCase(methods.string(i), true))
  const headers = m.arrayOr("headers")
  for (let i = 0; i < headers.length; i++) rule.headers.push(readCondition(headers.object(i)))
}

function readCondition(h: Config): HeaderCondition {
  const name = headerName(h.string("name"), h, "name")
  onlyKeys(h, ["name", "present", "equals", "matches"])
  let modes = 0
  let cond = new HeaderCondition(name, COND_PRESENT)
  if (h.has("present")) {
    cond.mode = h.boolOr("present", true) ? COND_PRESENT : COND_ABSENT
    modes++
  }
  if (h.has("equals")) {
    cond.mode = COND_EQUALS
    cond.value = h.stringOr("equals", "")
    modes++
  }
  if (h.has("matches")) {
    cond.mode = COND_MATCHES
    cond.regex = compileRegex(h, "matches")
    modes++
  }
  if (modes != 1) h.invalid("name", "give exactly one of present, equals and matches")
  return cond
}

function readRewrite(rule: Rule, cfg: Config, maxGroup: i32): void {
  const r = cfg.objectOr("rewrite")
  if (r == null) return
  onlyKeys(r, ["prefix", "path", "regex", "substitution", "host"])
  if (r.has("prefix")) {
    rule.rewritePrefix = r.stringOr("prefix", "/")
    if (rule.prefix == null) r.invalid("prefix", "needs match.prefix (the part it replaces)")
  }
  rule.rewritePath = compileTemplate(r, "path", maxGroup, "match.regex")
  if (r.has("regex")) {
    rule.rewriteRegex = compileRegex(r, "regex")
    const groups = rule.rewriteRegex == null ? 9 : rule.rewriteRegex!.groups
    rule.rewriteSubstitution = compileTemplate(r, "substitution", groups, "rewrite.regex")
    if (!r.has("substitution")) r.invalid("regex", "needs a substitution")
  } else if (r.has("substitution")) r.invalid("substitution", "needs rewrite.regex")
  let kinds = 0
  if (r.has("prefix")) kinds++
  if (r.has("path")) kinds++
  if (r.has("regex")) kinds++
  if (kinds > 1) r.invalid("path", "use only one of prefix, path and regex")
  rule.rewriteHost = compileTemplate(r, "host", maxGroup, "match.regex")
  if (rule.rewriteHost != null && rule.rewriteHost!.usesResponse) r.invalid("host", "${resp:...} is only available in response actions")
  if (rule.rewritePath != null && rule.rewritePath!.usesResponse) r.invalid("path", "${resp:...} is only available in response actions")
}

/** Records every key of `cfg` that is not in `allowed` (catches typos such as "prefx"). */
export function onlyKeys(cfg: Config, allowed: string[]): void {
  const keys = cfg.keys()
  for (let k = 0; k < keys.length; k++) {
    if (!allowed.includes(keys[k])) cfg.invalid(keys[k], "unknown field (expected one of " + allowed.join(", ") + ")")
  }
}

/** Reads `rules`; problems go to `cfg.errors`. */
export function readRules(cfg: Config): Rule[] {
  const out: Rule[] = []
  const list: ConfigArray = cfg.array("rules")
  if (list.length > MAX_RULES) cfg.invalid("rules", "at most " + MAX_RULES.toString() + " rules")
  for (let i = 0; i < list.length && i < MAX_RULES; i++) {
    const rc = list.object(i)
    const rule = new Rule()
    readMatch(rule, rc)
    // -1: no regex, so no ${N}; a regex that did not compile allows any (one error is enough).
    const maxGroup = !rule.hasRegexCondition ? -1 : rule.pathRegex == null ? 9 : rule.pathRegex!.groups
    rule.request = readActions(rc, "request", maxGroup, false)
    rule.response = readActions(rc, "response", maxGroup, true)
    readRewrite(rule, rc, maxGroup)
    onlyKeys(rc, ["name", "match", "request", "response", "rewrite"])
    out.push(rule)
  }
  return out
}
