/**
 * @module
 * Request path normalization before routing and filters, as Envoy's `normalize_path` and
 * `merge_slashes` do: without it `/./admin`, `//admin`, `/%61dmin` or `/x/../admin` would miss
 * the `/admin` route (and its auth filter) while the upstream may well serve them as `/admin`.
 *
 * In order (RFC 3986 §6.2.2): `\` becomes `/` (browsers and many servers treat them alike);
 * percent-escapes of unreserved characters are decoded (`%41` → `A`) and the others
 * uppercased (`%2f` → `%2F`, which stays encoded: an escaped slash is data, not a separator);
 * `.` and `..` segments are removed (never above the root; an empty segment counts); then runs
 * of `/` become one when `mergeSlashes` (Envoy's order: `/a//../b` is `/a/b`). The query string is left as it is. Paths that need none of this (nearly all)
 * are returned as they are after one scan.
 */

export interface PathOptions {
  readonly mergeSlashes: boolean
}

const HEX = '0123456789ABCDEF'

/** Normalizes the path part of a request target (`/path?query`); other forms are returned unchanged. */
export function normalizeRequestTarget(target: string, options: PathOptions): string {
  if (target.charCodeAt(0) !== 47 /* / */) return target
  const q = target.indexOf('?')
  const path = q === -1 ? target : target.slice(0, q)
  if (!needsWork(path, options.mergeSlashes)) return target
  const normalized = normalizePath(path, options.mergeSlashes)
  return q === -1 ? normalized : normalized + target.slice(q)
}

function needsWork(path: string, mergeSlashes: boolean): boolean {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i)
    if (c === 37 /* % */ || c === 92 /* \ */) return true
    if (c === 47 /* / */) {
      const next = path.charCodeAt(i + 1)
      if (next === 46 /* . */ || (mergeSlashes && next === 47)) return true
    }
  }
  return false
}

export function normalizePath(path: string, mergeSlashes: boolean): string {
  const decoded = normalizeEscapes(path.replaceAll('\\', '/'))
  const segments = decoded.split('/')
  const out: string[] = []
  // segments[0] is the empty string before the leading slash.
  for (let i = 1; i < segments.length; i++) {
    const s = segments[i] as string
    const isLast = i === segments.length - 1
    if (s === '.' || s === '..') {
      if (s === '..' && out.length > 0) out.pop()
      // `/a/.` and `/a/..` keep their trailing slash, as RFC 3986's algorithm does.
      if (isLast) out.push('')
      continue
    }
    out.push(s)
  }
  let result = `/${out.join('/')}`
  if (mergeSlashes) result = result.replace(/\/{2,}/g, '/')
  return result
}

function isUnreserved(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c >= 0x41 && c <= 0x46) return c - 0x37
  if (c >= 0x61 && c <= 0x66) return c - 0x57
  return -1
}

/** Decodes escapes of unreserved characters, uppercases the rest; a malformed `%` stays as it is. */
function normalizeEscapes(path: string): string {
  if (!path.includes('%')) return path
  let out = ''
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i)
    if (c !== 37 || i + 2 >= path.length) {
      out += path[i]
      continue
    }
    const hi = hexValue(path.charCodeAt(i + 1))
    const lo = hexValue(path.charCodeAt(i + 2))
    if (hi < 0 || lo < 0) {
      out += '%'
      continue
    }
    const byte = hi * 16 + lo
    out += isUnreserved(byte) ? String.fromCharCode(byte) : `%${HEX[hi]}${HEX[lo]}`
    i += 2
  }
  return out
}
