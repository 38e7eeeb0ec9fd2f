/**
 * @module
 * Tags (Prometheus labels) in a filter metric's name. The ABI has no labels, so filters encode
 * them in the name the way Istio's stats filter does for Envoy: `base;.;key=.=value;.;...`.
 * Envoy extracts them with `stats_tags` regexes such as `(key=\.=(.*?);\.;)`; wasmgate parses them
 * here, so one Prometheus metric `wasmcustom_base{key="value"}` holds every combination.
 */

export interface TaggedName {
  readonly base: string
  /** Tag keys in the order the name gives them. */
  readonly keys: readonly string[]
  readonly values: Readonly<Record<string, string>>
}

const TAG_SEPARATOR = ';.;'
const KEY_VALUE = '=.='
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/

/** The base name and tags, or undefined when the name carries no (well-formed) tags. */
export function parseTaggedName(name: string): TaggedName | undefined {
  if (!name.includes(KEY_VALUE)) return undefined
  const parts = name.split(TAG_SEPARATOR).filter((p) => p !== '')
  const base = parts.shift()
  if (base === undefined || base.includes(KEY_VALUE) || parts.length === 0) return undefined
  const keys: string[] = []
  const values: Record<string, string> = {}
  for (const part of parts) {
    const at = part.indexOf(KEY_VALUE)
    if (at <= 0) return undefined
    const key = part.slice(0, at)
    if (!LABEL_NAME.test(key) || key.startsWith('__') || Object.hasOwn(values, key)) return undefined
    keys.push(key)
    values[key] = part.slice(at + KEY_VALUE.length)
  }
  return { base, keys, values }
}

/** Envoy's default histogram buckets (its stats are in ms and bytes, not seconds). */
export const FILTER_HISTOGRAM_BUCKETS: readonly number[] = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000]
