// Small helpers on the request target: rule matching, query parameters, dot segments.
import { Rule } from "./settings"

/** The path without its query string. */
export function pathOnly(target: string): string {
  const q = target.indexOf("?")
  return q < 0 ? target : target.slice(0, q)
}

/**
 * True when the path holds "." or ".." segments, literally or percent-encoded. A rule for
 * "/public" must not admit "/public/../admin", which an upstream would normalize to "/admin".
 */
export function hasDotSegments(path: string): bool {
  const n = path.length
  let segStart = 0
  for (let i = 0; i <= n; i++) {
    if (i < n && path.charCodeAt(i) != 0x2f && path.charCodeAt(i) != 0x5c) continue
    let dots = 0
    let j = segStart
    while (j < i) {
      if (path.charCodeAt(j) == 0x2e) j++
      else if (j + 2 < i && path.charCodeAt(j) == 0x25 && path.charCodeAt(j + 1) == 0x32 && (path.charCodeAt(j + 2) | 0x20) == 0x65) j += 3
      else break
      dots++
    }
    if (j == i && (dots == 1 || dots == 2)) return true
    segStart = i + 1
  }
  // An encoded slash or backslash would hide a segment boundary from the check above.
  return path.includes("%2f") || path.includes("%2F") || path.includes("%5c") || path.includes("%5C")
}

/** The first rule that matches `path` and `method`, or `fallback`. */
export function matchRule(rules: Rule[], fallback: Rule, path: string, method: string): Rule {
  for (let i = 0, n = rules.length; i < n; i++) {
    const r = unchecked(rules[i])
    if (r.exact.length > 0 ? path != r.exact : !path.startsWith(r.prefix)) continue
    if (r.methods.length > 0 && !r.methods.includes(method)) continue
    return r
  }
  return fallback
}

/** The value of query parameter `name` in `target`, percent-decoded (`+` stays `+`), or null. */
export function queryParam(target: string, name: string): string | null {
  let at = target.indexOf("?")
  if (at < 0) return null
  const n = target.length
  while (at < n) {
    const start = at + 1
    let end = target.indexOf("&", start)
    if (end < 0) end = n
    const eq = target.indexOf("=", start)
    if (eq > start && eq < end && eq - start == name.length && target.substring(start, eq) == name) return percentDecode(target.substring(eq + 1, end))
    at = end
  }
  return null
}

/** `target` without query parameter `name` (every occurrence). */
export function withoutQueryParam(target: string, name: string): string {
  const q = target.indexOf("?")
  if (q < 0) return target
  const kept = new Array<string>()
  const parts = target.slice(q + 1).split("&")
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]
    const eq = p.indexOf("=")
    const key = eq < 0 ? p : p.slice(0, eq)
    if (key != name && p.length > 0) kept.push(p)
  }
  return kept.length == 0 ? target.slice(0, q) : target.slice(0, q) + "?" + kept.join("&")
}

function hexValue(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  const l = c | 0x20
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1
}

/** Decodes %XX escapes (as UTF-8); malformed escapes are kept as they are. */
export function percentDecode(s: string): string {
  if (s.indexOf("%") < 0) return s
  const bytes = new Uint8Array(s.length * 3)
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c == 0x25 && i + 2 < s.length) {
      const hi = hexValue(s.charCodeAt(i + 1)), lo = hexValue(s.charCodeAt(i + 2))
      if (hi >= 0 && lo >= 0) {
        bytes[n++] = <u8>((hi << 4) | lo)
        i += 2
        continue
      }
    }
    if (c < 0x80) bytes[n++] = <u8>c
    else {
      // Non-ASCII in a request target is unusual; keep it as its UTF-8 bytes.
      const enc = Uint8Array.wrap(String.UTF8.encode(String.fromCharCode(c)))
      for (let j = 0; j < enc.length; j++) bytes[n++] = enc[j]
    }
  }
  return String.UTF8.decodeUnsafe(bytes.dataStart, <usize>n)
}
