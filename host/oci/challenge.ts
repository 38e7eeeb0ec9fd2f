/**
 * @module
 * Parses a registry's `WWW-Authenticate` header (RFC 7235 auth-params). A Bearer challenge's
 * `scope` holds commas (`repository:a/b:pull,push`), so values are read as quoted strings and
 * never split on commas.
 */

export interface Challenge {
  /** Lowercased: `basic` or `bearer` (others are kept so the error can name them). */
  readonly scheme: string
  readonly params: Readonly<Record<string, string>>
}

/** Returns every challenge in the header, in order; an empty array for an empty header. */
export function parseChallenges(header: string | null | undefined): Challenge[] {
  const out: Challenge[] = []
  if (!header) return out
  let i = 0
  const n = header.length
  const skipSpace = () => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++
  }
  const readToken = () => {
    const start = i
    while (i < n && /[!#$%&'*+.^_`|~0-9A-Za-z-]/.test(header[i]!)) i++
    return header.slice(start, i)
  }
  let current: { scheme: string; params: Record<string, string> } | undefined
  while (i < n) {
    skipSpace()
    if (header[i] === ',') {
      i++
      continue
    }
    const token = readToken()
    if (token === '') {
      i++ // a stray character; skip it rather than loop
      continue
    }
    skipSpace()
    if (header[i] === '=') {
      // name=value: a parameter of the current challenge
      i++
      skipSpace()
      let value: string
      if (header[i] === '"') {
        i++
        value = ''
        while (i < n && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < n) i++
          value += header[i]
          i++
        }
        i++ // closing quote
      } else {
        // unquoted: up to the next comma or space (lenient: real servers put URLs here)
        const start = i
        while (i < n && header[i] !== ',' && header[i] !== ' ' && header[i] !== '\t') i++
        value = header.slice(start, i)
      }
      if (current !== undefined) current.params[token.toLowerCase()] = value
    } else {
      current = { scheme: token.toLowerCase(), params: {} }
      out.push(current)
    }
  }
  return out
}
