// Value templates: literal text with `${...}` variables, parsed once in onConfigure.
//
//   ${req:NAME}      a request header          ${resp:NAME}   a response header
//   ${client_ip}     the client's IP           ${client_address}  IP:port
//   ${route}         the route name            ${request_id}  the request id
//   ${method} ${path} ${host} ${scheme}       the request line (as the filter sees it now)
//   ${prop:a.b.c}    any string property (path segments split on '.')
//   ${1} .. ${9}     capture groups of the rule's path regex (${0}: the whole match)
//   ${NAME|text}     `text` when the variable is empty or missing;  $$  a literal '$'

export const PART_LITERAL: i32 = 0
export const PART_REQ_HEADER: i32 = 1
export const PART_RESP_HEADER: i32 = 2
export const PART_CLIENT_IP: i32 = 3
export const PART_CLIENT_ADDRESS: i32 = 4
export const PART_ROUTE: i32 = 5
export const PART_REQUEST_ID: i32 = 6
export const PART_METHOD: i32 = 7
export const PART_PATH: i32 = 8
export const PART_HOST: i32 = 9
export const PART_SCHEME: i32 = 10
export const PART_PROPERTY: i32 = 11
export const PART_CAPTURE: i32 = 12

export class Part {
  /** For properties, the path segments. */
  segments: string[] = []
  constructor(public kind: i32, public text: string, public fallback: string, public group: i32 = 0) {}
}

/** What a template reads from the current request; the filter's HttpContext implements it. */
export abstract class TemplateSource {
  /** The value, or null when missing. */
  abstract variable(part: Part): string | null
}

export let templateError: string = ""

// Reused by every render (rendering never nests).
const scratchPieces: string[] = []

function valueOf(p: Part, src: TemplateSource): string {
  if (p.kind == PART_LITERAL) return p.text
  const v = src.variable(p)
  return v == null || v.length == 0 ? p.fallback : v!
}

export class Template {
  /** The whole value when the template has no variables. */
  readonly isLiteral: bool
  usesCaptures: bool = false
  usesResponse: bool = false

  constructor(public readonly parts: Part[], public readonly source: string) {
    this.isLiteral = parts.length == 0 || (parts.length == 1 && parts[0].kind == PART_LITERAL)
    for (let i = 0; i < parts.length; i++) {
      const k = parts[i].kind
      if (k == PART_CAPTURE) this.usesCaptures = true
      if (k == PART_RESP_HEADER) this.usesResponse = true
    }
  }

  /** The highest capture group referred to (0 when none). */
  maxGroup(): i32 {
    let g = 0
    for (let i = 0; i < this.parts.length; i++) if (this.parts[i].kind == PART_CAPTURE) g = max(g, this.parts[i].group)
    return g
  }

  render(src: TemplateSource): string {
    const parts = this.parts
    if (this.isLiteral) return parts.length == 0 ? "" : unchecked(parts[0]).text
    const n = parts.length
    if (n == 1) return valueOf(unchecked(parts[0]), src)
    // Collect the pieces, then copy them into one new string: no intermediate concatenations.
    const pieces = scratchPieces
    pieces.length = n
    let bytes: usize = 0
    for (let i = 0; i < n; i++) {
      const v = valueOf(unchecked(parts[i]), src)
      unchecked(pieces[i] = v)
      bytes += <usize>v.length << 1
    }
    const out = changetype<string>(__new(bytes, idof<string>()))
    let at = changetype<usize>(out)
    for (let i = 0; i < n; i++) {
      const v = unchecked(pieces[i])
      const size = <usize>v.length << 1
      memory.copy(at, changetype<usize>(v), size)
      at += size
    }
    return out
  }

  /** Parses `text`; null (with `templateError` set) when a variable is malformed or unknown. */
  static parse(text: string): Template | null {
    const parts: Part[] = []
    let lit = ""
    let i = 0
    const n = text.length
    while (i < n) {
      const c = text.charCodeAt(i)
      if (c != 0x24 || i + 1 >= n) { // not '$'
        lit += String.fromCharCode(c)
        i++
        continue
      }
      const next = text.charCodeAt(i + 1)
      if (next == 0x24) { // $$
        lit += "$"
        i += 2
        continue
      }
      if (next != 0x7b) { // a lone '$' is itself
        lit += "$"
        i++
        continue
      }
      const close = text.indexOf("}", i + 2)
      if (close < 0) {
        templateError = "unclosed '${' at offset " + i.toString()
        return null
      }
      const part = parseVariable(text.substring(i + 2, close))
      if (part == null) return null
      if (lit.length > 0) parts.push(new Part(PART_LITERAL, lit, ""))
      lit = ""
      parts.push(part)
      i = close + 1
    }
    if (lit.length > 0 || parts.length == 0) parts.push(new Part(PART_LITERAL, lit, ""))
    return new Template(parts, text)
  }
}

function parseVariable(body: string): Part | null {
  let fallback = ""
  const bar = body.indexOf("|")
  if (bar >= 0) {
    fallback = body.substring(bar + 1)
    body = body.substring(0, bar)
  }
  const colon = body.indexOf(":")
  const name = colon < 0 ? body : body.substring(0, colon)
  const arg = colon < 0 ? "" : body.substring(colon + 1)
  let kind: i32 = -1
  if (name == "req") kind = PART_REQ_HEADER
  else if (name == "resp") kind = PART_RESP_HEADER
  else if (name == "prop") kind = PART_PROPERTY
  else if (colon < 0) {
    if (name == "client_ip") kind = PART_CLIENT_IP
    else if (name == "client_address") kind = PART_CLIENT_ADDRESS
    else if (name == "route") kind = PART_ROUTE
    else if (name == "request_id") kind = PART_REQUEST_ID
    else if (name == "method") kind = PART_METHOD
    else if (name == "path") kind = PART_PATH
    else if (name == "host") kind = PART_HOST
    else if (name == "scheme") kind = PART_SCHEME
    else if (name.length == 1 && name.charCodeAt(0) >= 0x30 && name.charCodeAt(0) <= 0x39) {
      const p = new Part(PART_CAPTURE, "", fallback, name.charCodeAt(0) - 0x30)
      return p
    }
  }
  if (kind < 0) {
    templateError = "unknown variable '${" + body + "}'"
    return null
  }
  if ((kind == PART_REQ_HEADER || kind == PART_RESP_HEADER || kind == PART_PROPERTY) && arg.length == 0) {
    templateError = "'${" + name + ":...}' needs a name after ':'"
    return null
  }
  const p = new Part(kind, asciiCase(arg, false), fallback)
  if (kind == PART_PROPERTY) {
    p.text = arg
    p.segments = arg.split(".")
  }
  return p
}

/** ASCII-only case change: header names and methods are ASCII, and String#toLowerCase pulls in Unicode tables. */
export function asciiCase(s: string, upper: bool): string {
  const out = s.length == 0 ? s : String.UTF16.decode(String.UTF16.encode(s))
  const p = changetype<usize>(out)
  for (let i = 0; i < out.length; i++) {
    const c = load<u16>(p + (<usize>i << 1))
    if (upper ? c >= 0x61 && c <= 0x7a : c >= 0x41 && c <= 0x5a) store<u16>(p + (<usize>i << 1), c ^ 0x20)
  }
  return out
}
