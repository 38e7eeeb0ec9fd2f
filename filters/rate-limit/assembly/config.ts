// Reads and checks the JSON configuration (see ../README.md and ../config.schema.json). Every
// problem is recorded with its field path, so onConfigure logs e.g.
// `rules[0].limits[1].per: expected one of second, minute, hour, day (got "week")` and refuses.
import { Config, ConfigArray, Counter, JsonKind } from "wasmgate/sdk/assembly"
import { ByteWriter, utf8 } from "./byte-writer"
import { fnv1a64 } from "./key-hash"
import { KeyPart, KeySource, Limit, MissingKey, Mode, Rule, Settings } from "./rule"

const TOP_FIELDS = ["domain", "mode", "responseHeaders", "statusCode", "rules"]
const RULE_FIELDS = ["name", "match", "key", "onMissingKey", "limits"]
const MATCH_FIELDS = ["path", "prefix", "methods"]
const LIMIT_FIELDS = ["requests", "per", "periodSeconds", "burst"]
const MAX_RULES = 64
const MAX_LIMITS = 8
const MAX_PERIOD_SECONDS: i64 = 366 * 86400
const MAX_REQUESTS: i64 = 1_000_000_000
const MAX_FILL_SECONDS: f64 = 100 * 366 * 86400

function unknownFields(cfg: Config, known: string[]): void {
  const keys = cfg.keys()
  for (let i = 0; i < keys.length; i++) {
    if (!known.includes(keys[i])) cfg.invalid(keys[i], "unknown field; expected one of " + known.join(", "))
  }
}

function isName(s: string): bool {
  if (s.length == 0 || s.length > 64) return false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f || c == 0x2d
    if (!ok) return false
  }
  return true
}

// ASCII only: header names and methods are tokens, and String#toUpperCase would bring in the
// Unicode case tables (about 12 KB of the module).
function asciiCase(s: string, upper: bool): string {
  const from = upper ? 0x61 : 0x41
  let out = ""
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    out += String.fromCharCode(c >= from && c < from + 26 ? c ^ 0x20 : c)
  }
  return out
}

function periodOf(per: string): i64 {
  if (per == "second") return 1
  if (per == "minute") return 60
  if (per == "hour") return 3600
  if (per == "day") return 86400
  return 0
}

// An integer in [lo, hi], or 0 after recording one problem (wrong type or out of range).
function intIn(cfg: Config, key: string, fallback: i64, lo: i64, hi: i64, required: bool): i64 {
  const before = cfg.errors.list.length
  const v = cfg.intOr(key, fallback, required)
  if (cfg.errors.list.length > before) return 0
  if (cfg.has(key) && (v < lo || v > hi)) {
    cfg.invalid(key, "must be between " + lo.toString() + " and " + hi.toString())
    return 0
  }
  return v
}

function readLimit(cfg: Config): Limit | null {
  unknownFields(cfg, LIMIT_FIELDS)
  const requests = intIn(cfg, "requests", 0, 1, MAX_REQUESTS, true)
  let period: i64 = 0
  if (cfg.has("per") == cfg.has("periodSeconds")) {
    cfg.invalid(cfg.has("per") ? "periodSeconds" : "per", "give exactly one of per and periodSeconds")
  } else if (cfg.has("per")) {
    period = periodOf(cfg.string("per"))
    if (period == 0 && cfg.value.field("per")!.kind == JsonKind.String) cfg.invalid("per", "expected one of second, minute, hour, day")
  } else {
    period = intIn(cfg, "periodSeconds", 0, 1, MAX_PERIOD_SECONDS, true)
  }
  // Checked only once requests is valid, since it is the default.
  const burst = requests < 1 ? 0 : intIn(cfg, "burst", requests, 1, MAX_REQUESTS, false)
  if (requests < 1 || period < 1 || burst < 1) return null
  if (period * 1_000_000_000 < requests) {
    cfg.invalid("requests", "more than one per nanosecond")
    return null
  }
  // Filling the bucket takes period x burst / requests; bound it so timestamps stay in a u64.
  if (<f64>period * <f64>burst / <f64>requests > MAX_FILL_SECONDS) {
    cfg.invalid("burst", "too large for this rate: the bucket would take more than 100 years to fill")
    return null
  }
  return new Limit(<u32>requests, <u32>period, <u32>burst)
}

function readKey(rule: Rule, list: ConfigArray): void {
  for (let i = 0; i < list.length; i++) {
    const part = list.string(i)
    let source = KeySource.Header
    let header = ""
    if (part == "client_address") source = KeySource.ClientAddress
    else if (part == "path") source = KeySource.Path
    else if (part == "method") source = KeySource.Method
    else if (part == "host") source = KeySource.Host
    else if (part.startsWith("header:") && part.length > 7) header = asciiCase(part.slice(7), false)
    else {
      list.errors.add(list.path + "[" + i.toString() + "]", "expected client_address, path, method, host or header:NAME", list.value.items[i])
      continue
    }
    rule.key.push(new KeyPart(source, utf8(header)))
  }
}

function readMatch(rule: Rule, cfg: Config): void {
  unknownFields(cfg, MATCH_FIELDS)
  const path = cfg.stringOr("path", "")
  const prefix = cfg.stringOr("prefix", "")
  if (cfg.has("path") && !path.startsWith("/")) cfg.invalid("path", "must start with /")
  if (cfg.has("prefix") && !prefix.startsWith("/")) cfg.invalid("prefix", "must start with /")
  rule.path = utf8(path)
  rule.prefix = utf8(prefix)
  const methods = cfg.arrayOr("methods")
  for (let i = 0; i < methods.length; i++) {
    const m = methods.string(i)
    if (m.length == 0 && methods.value.items[i].kind == JsonKind.String) methods.errors.add(methods.path + "[" + i.toString() + "]", "must not be empty", methods.value.items[i])
    rule.methods.push(utf8(asciiCase(m, true)))
  }
}

function readRule(cfg: Config, index: i32): Rule {
  unknownFields(cfg, RULE_FIELDS)
  const rule = new Rule()
  rule.name = cfg.stringOr("name", "rule" + index.toString())
  if (!isName(rule.name)) cfg.invalid("name", "must be 1-64 characters of A-Z a-z 0-9 _ -")
  const match = cfg.objectOr("match")
  if (match != null) readMatch(rule, match)
  if (cfg.has("key")) {
    const key = cfg.array("key")
    if (key.length == 0) cfg.invalid("key", "must not be empty")
    readKey(rule, key)
  } else {
    rule.key.push(new KeyPart(KeySource.ClientAddress, new ArrayBuffer(0)))
  }
  const missing = cfg.stringOr("onMissingKey", "share")
  if (missing == "skip") rule.onMissingKey = MissingKey.Skip
  else if (missing != "share") cfg.invalid("onMissingKey", "expected share or skip")
  const limits = cfg.array("limits")
  if (cfg.has("limits") && (limits.length == 0 || limits.length > MAX_LIMITS)) cfg.invalid("limits", "must hold 1 to 8 limits")
  for (let i = 0; i < limits.length && i < MAX_LIMITS; i++) {
    const limit = readLimit(limits.object(i))
    if (limit != null) rule.limits.push(limit)
  }
  return rule
}

// Precomputes the bytes a request needs. The key prefix carries a signature of the rule, so
// buckets made under an older version of a rule are not reused after a reload changes it.
function finish(rule: Rule, domain: string): void {
  const sig = new ByteWriter()
  for (let i = 0; i < rule.limits.length; i++) {
    const l = rule.limits[i]
    sig.uint(l.requests).byte(0x2f).uint(l.periodSeconds).byte(0x2f).uint(l.burst).byte(0x3b)
  }
  for (let i = 0; i < rule.key.length; i++) sig.uint(<u64>rule.key[i].source).bytes(rule.key[i].header).byte(0x3b)
  const name = utf8(rule.name)
  const w = new ByteWriter()
  w.bytes(utf8(domain)).byte(0x3a).bytes(name).byte(0x3a).hex64(fnv1a64(sig.ptr, sig.len, 0)).byte(0x3a)
  rule.keyPrefix = copyOut(w)
  w.reset()
  for (let i = 0; i < rule.limits.length; i++) {
    if (i > 0) w.byte(0x2c).byte(0x20)
    const l = rule.limits[i]
    w.uint(l.requests).bytes(utf8(";w=")).uint(l.periodSeconds)
    if (l.burst != l.requests) w.bytes(utf8(";burst=")).uint(l.burst)
  }
  rule.policy = copyOut(w)
  rule.bodyPrefix = utf8("{\"code\":\"rate_limited\",\"rule\":\"" + rule.name + "\",\"retryAfterSeconds\":")
  heap.free(sig.ptr)
  heap.free(w.ptr)
  const stat = "ratelimit." + domain + "." + rule.name + "."
  rule.allowed = new Counter(stat + "allowed")
  rule.limited = new Counter(stat + "limited")
}

function copyOut(w: ByteWriter): ArrayBuffer {
  const out = new ArrayBuffer(<i32>w.len)
  memory.copy(changetype<usize>(out), w.ptr, w.len)
  return out
}

/** Reads the whole configuration; check `cfg.ok` (or `cfg.check()`) before using the result. */
export function readSettings(cfg: Config, pluginName: string): Settings {
  unknownFields(cfg, TOP_FIELDS)
  const s = new Settings()
  const domain = cfg.stringOr("domain", pluginName.length > 0 ? pluginName : "rate-limit")
  if (!isName(domain)) cfg.invalid("domain", "must be 1-64 characters of A-Z a-z 0-9 _ -")
  const mode = cfg.stringOr("mode", "enforce")
  if (mode == "dry_run") s.mode = Mode.DryRun
  else if (mode != "enforce") cfg.invalid("mode", "expected enforce or dry_run")
  s.responseHeaders = cfg.boolOr("responseHeaders", true)
  const status = cfg.intOr("statusCode", 429)
  if (status < 400 || status > 599) cfg.invalid("statusCode", "must be between 400 and 599")
  else s.statusCode = <u32>status
  const rules = cfg.array("rules")
  if (cfg.has("rules") && (rules.length == 0 || rules.length > MAX_RULES)) cfg.invalid("rules", "must hold 1 to 64 rules")
  for (let i = 0; i < rules.length && i < MAX_RULES; i++) {
    const r = rules.object(i)
    const rule = readRule(r, i)
    for (let j = 0; j < s.rules.length; j++) {
      if (s.rules[j].name == rule.name) r.invalid("name", "duplicate rule name")
    }
    s.rules.push(rule)
  }
  // Metrics are defined only for a valid configuration: a refused one leaves no trace.
  if (!cfg.ok) return s
  for (let i = 0; i < s.rules.length; i++) finish(s.rules[i], domain)
  s.errors = new Counter("ratelimit." + domain + ".errors")
  return s
}
