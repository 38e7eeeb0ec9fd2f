// A small JSON reader for filter configuration. Parsing builds a tree once (configuration is
// read in onConfigure, off the hot path); the typed getters record every problem with the
// field's path, like `rules[1].name: expected a string (got 42)`, so onConfigure can log them
// and return false.
import { log } from "./log"
import { scratch } from "./runtime/memory"

export enum JsonKind { Null, Bool, Number, String, Array, Object }

export class JsonValue {
  kind: JsonKind = JsonKind.Null
  bool: bool = false
  num: f64 = 0
  str: string = ""
  items: JsonValue[] = []
  keys: string[] = []

  /** The value of `key` in an object, or null. */
  field(key: string): JsonValue | null {
    for (let i = 0, n = this.keys.length; i < n; i++) if (unchecked(this.keys[i]) == key) return unchecked(this.items[i])
    return null
  }

  /** A short rendering for error messages. */
  describe(): string {
    switch (this.kind) {
      case JsonKind.Null: return "null"
      case JsonKind.Bool: return this.bool ? "true" : "false"
      // Integers print exactly; other numbers stay vague to keep dtoa out of small filters.
      case JsonKind.Number: return this.num == Math.floor(this.num) && Math.abs(this.num) < 2e9 ? (<i32>this.num).toString() : "a number"
      case JsonKind.String: return "\"" + this.str + "\""
      case JsonKind.Array: return "an array"
      default: return "an object"
    }
  }
}

function hex4(t: string, at: i32): i32 {
  let v = 0
  for (let i = at; i < at + 4; i++) {
    const c = t.charCodeAt(i) | 0x20
    v = (v << 4) + (c <= 0x39 ? c - 0x30 : c - 0x57)
  }
  return v
}

class Parser {
  pos: i32 = 0
  len: i32
  error: string | null = null
  constructor(public text: string) {
    this.len = text.length
  }

  /** The char code at `pos`, or -1 at the end. One bounds check here instead of at each use. */
  ch(): i32 {
    return this.pos < this.len ? <i32>load<u16>(changetype<usize>(this.text) + (<usize>this.pos << 1)) : -1
  }

  fail(what: string): JsonValue {
    if (this.error == null) this.error = "invalid JSON at offset " + this.pos.toString() + ": " + what
    return new JsonValue()
  }

  skip(): void {
    for (let c = this.ch(); c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09; c = this.ch()) this.pos++
  }

  eat(c: i32): bool {
    this.skip()
    if (this.ch() != c) return false
    this.pos++
    return true
  }

  value(depth: i32): JsonValue {
    this.skip()
    const c = this.ch()
    const v = new JsonValue()
    if (depth > 64) return this.fail("nested too deeply")
    if (c == 0x7b || c == 0x5b) { // { or [
      const isObject = c == 0x7b
      const close = isObject ? 0x7d : 0x5d
      v.kind = isObject ? JsonKind.Object : JsonKind.Array
      this.pos++
      if (this.eat(close)) return v
      do {
        if (isObject) {
          this.skip()
          if (this.ch() != 0x22) return this.fail("expected a key string")
          v.keys.push(this.string())
          if (!this.eat(0x3a)) return this.fail("expected ':'")
        }
        v.items.push(this.value(depth + 1))
        if (this.eat(close)) return v
      } while (this.error == null && this.eat(0x2c))
      return this.fail(isObject ? "expected ',' or '}'" : "expected ',' or ']'")
    }
    if (c == 0x22) {
      v.kind = JsonKind.String
      v.str = this.string()
    } else if (c == 0x2d || (c >= 0x30 && c <= 0x39)) {
      v.kind = JsonKind.Number
      v.num = this.number()
    } else if (this.word("true")) {
      v.kind = JsonKind.Bool
      v.bool = true
    } else if (this.word("false")) {
      v.kind = JsonKind.Bool
    } else if (!this.word("null")) {
      return this.fail("unexpected character")
    }
    return v
  }

  // Our own digits loop, not F64.parseFloat: strtod and its tables would double the size of a
  // small filter. Exact for integers up to 2^53 and for decimals with 15 significant digits.
  number(): f64 {
    const negative = this.ch() == 0x2d
    if (negative) this.pos++
    let mantissa: f64 = 0
    let scale: i32 = 0
    let digits = 0
    let seenDot = false
    for (let d = this.ch(); ; d = this.ch()) {
      if (d >= 0x30 && d <= 0x39) {
        mantissa = mantissa * 10 + <f64>(d - 0x30)
        if (seenDot) scale--
        digits++
      } else if (d == 0x2e && !seenDot) {
        seenDot = true
      } else break
      this.pos++
    }
    if (digits == 0) this.fail("bad number")
    if ((this.ch() | 0x20) == 0x65) {
      this.pos++
      const sign = this.ch()
      if (sign == 0x2d || sign == 0x2b) this.pos++
      let e = 0
      for (let d = this.ch(); d >= 0x30 && d <= 0x39; d = this.ch()) {
        e = min(e * 10 + (d - 0x30), 400)
        this.pos++
      }
      scale += sign == 0x2d ? -e : e
    }
    let p: f64 = 1
    for (let i = 0, n = scale < 0 ? -scale : scale; i < n; i++) p *= 10
    const v = scale < 0 ? mantissa / p : mantissa * p
    return negative ? -v : v
  }

  word(w: string): bool {
    for (let i = 0; i < w.length; i++) {
      if (this.pos + i >= this.len || this.text.charCodeAt(this.pos + i) != w.charCodeAt(i)) return false
    }
    this.pos += w.length
    return true
  }

  string(): string {
    const start = ++this.pos // after the opening quote
    let escaped = false
    for (let c = this.ch(); c != -1; c = this.ch()) {
      if (c == 0x22) return escaped ? unescape(this.text.slice(start, this.pos++)) : this.text.slice(start, this.pos++)
      if (c == 0x5c) {
        escaped = true
        this.pos++
      }
      this.pos++
    }
    this.fail("unterminated string")
    return ""
  }
}

// Decodes escapes into the scratch buffer, then makes one string (no concatenation per char).
function unescape(s: string): string {
  const buf = scratch(<usize>s.length << 1)
  let n: usize = 0
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i)
    if (c == 0x5c && ++i < s.length) {
      c = s.charCodeAt(i)
      if (c == 0x6e) c = 0x0a
      else if (c == 0x74) c = 0x09
      else if (c == 0x72) c = 0x0d
      else if (c == 0x62) c = 0x08
      else if (c == 0x66) c = 0x0c
      else if (c == 0x75 && i + 4 < s.length) {
        c = hex4(s, i + 1)
        i += 4
      }
    }
    store<u16>(buf + (n++ << 1), c)
  }
  return String.UTF16.decodeUnsafe(buf, n << 1)
}

/** Parses JSON text; on a syntax error returns null and sets `parseError`. */
export let parseError: string | null = null
export function parseJson(text: string): JsonValue | null {
  const p = new Parser(text)
  const v = p.value(0)
  p.skip()
  if (p.error == null && p.pos < p.len) p.fail("trailing characters")
  parseError = p.error
  return p.error == null ? v : null
}

/** Collects the problems found while reading one configuration. */
export class ConfigErrors {
  list: string[] = []
  add(path: string, problem: string, got: JsonValue | null): void {
    this.list.push((path == "" ? "config" : path) + ": " + problem + (got == null ? "" : " (got " + got.describe() + ")"))
  }
}

/** A typed, path-aware view of a JSON object in the configuration. */
export class Config {
  constructor(public readonly value: JsonValue, public readonly path: string, public readonly errors: ConfigErrors) {}

  /** Parses `text` (empty means `{}`); a syntax error or a non-object top level is recorded. */
  static parse(text: string): Config {
    const errors = new ConfigErrors()
    if (isBlank(text)) return new Config(objectValue(), "", errors)
    const v = parseJson(text)
    if (v == null) {
      errors.add("", parseError!, null)
      return new Config(objectValue(), "", errors)
    }
    if (v.kind != JsonKind.Object) {
      errors.add("", "expected a JSON object", v)
      return new Config(objectValue(), "", errors)
    }
    return new Config(v, "", errors)
  }

  get ok(): bool { return this.errors.list.length == 0 }

  /** Logs every problem at error level; returns `ok`, so `return cfg.check()` ends onConfigure. */
  check(): bool {
    for (let i = 0; i < this.errors.list.length; i++) log.error("invalid configuration: " + this.errors.list[i])
    return this.ok
  }

  has(key: string): bool { return this.value.field(key) != null }
  keys(): string[] { return this.value.keys }
  fieldPath(key: string): string { return this.path == "" ? key : this.path + "." + key }

  private need(key: string, kind: JsonKind, what: string, required: bool): JsonValue | null {
    const v = this.value.field(key)
    if (v == null || v.kind == JsonKind.Null) {
      if (required) this.errors.add(this.fieldPath(key), "is required: expected " + what, null)
      return null
    }
    if (v.kind != kind) {
      this.errors.add(this.fieldPath(key), "expected " + what, v)
      return null
    }
    return v
  }

  string(key: string): string { return this.stringOr(key, "", true) }
  stringOr(key: string, fallback: string, required: bool = false): string {
    const v = this.need(key, JsonKind.String, "a string", required)
    return v == null ? fallback : v.str
  }

  number(key: string): f64 { return this.numberOr(key, 0, true) }
  numberOr(key: string, fallback: f64, required: bool = false): f64 {
    const v = this.need(key, JsonKind.Number, "a number", required)
    return v == null ? fallback : v.num
  }

  int(key: string): i64 { return this.intOr(key, 0, true) }
  intOr(key: string, fallback: i64, required: bool = false): i64 {
    const v = this.need(key, JsonKind.Number, "an integer", required)
    if (v == null) return fallback
    if (v.num != Math.floor(v.num)) {
      this.errors.add(this.fieldPath(key), "expected an integer", v)
      return fallback
    }
    return <i64>v.num
  }

  bool(key: string): bool { return this.boolOr(key, false, true) }
  boolOr(key: string, fallback: bool, required: bool = false): bool {
    const v = this.need(key, JsonKind.Bool, "true or false", required)
    return v == null ? fallback : v.bool
  }

  /** A nested object (required); an empty one after recording the error when absent. */
  object(key: string): Config { return this.objectOr(key, true)! }
  objectOr(key: string, required: bool = false): Config | null {
    const v = this.need(key, JsonKind.Object, "an object", required)
    if (v == null) return required ? new Config(objectValue(), this.fieldPath(key), this.errors) : null
    return new Config(v, this.fieldPath(key), this.errors)
  }

  array(key: string): ConfigArray { return this.arrayOr(key, true) }
  /** An array; empty when absent (recorded as an error only when required). */
  arrayOr(key: string, required: bool = false): ConfigArray {
    const v = this.need(key, JsonKind.Array, "an array", required)
    return new ConfigArray(v == null ? arrayValue() : v, this.fieldPath(key), this.errors)
  }

  /** Records a problem of your own about `key` (a value out of range, say). */
  invalid(key: string, problem: string): void {
    this.errors.add(this.fieldPath(key), problem, this.value.field(key))
  }
}

/** A typed, path-aware view of a JSON array in the configuration. */
export class ConfigArray {
  constructor(public readonly value: JsonValue, public readonly path: string, public readonly errors: ConfigErrors) {}

  get length(): i32 { return this.value.items.length }

  private at(i: i32, kind: JsonKind, what: string): JsonValue | null {
    const v = this.value.items[i]
    if (v.kind != kind) {
      this.errors.add(this.path + "[" + i.toString() + "]", "expected " + what, v)
      return null
    }
    return v
  }

  string(i: i32): string {
    const v = this.at(i, JsonKind.String, "a string")
    return v == null ? "" : v.str
  }

  number(i: i32): f64 {
    const v = this.at(i, JsonKind.Number, "a number")
    return v == null ? 0 : v.num
  }

  object(i: i32): Config {
    const v = this.at(i, JsonKind.Object, "an object")
    return new Config(v == null ? objectValue() : v, this.path + "[" + i.toString() + "]", this.errors)
  }
}

function isBlank(text: string): bool {
  const p = new Parser(text)
  p.skip()
  return p.pos == text.length
}

function objectValue(): JsonValue {
  const v = new JsonValue()
  v.kind = JsonKind.Object
  return v
}

function arrayValue(): JsonValue {
  const v = new JsonValue()
  v.kind = JsonKind.Array
  return v
}
