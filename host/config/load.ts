/**
 * @module
 * Config loading: file → YAML → defaults → schema → cross-references → deep freeze.
 * Every problem is collected, so an operator sees all of them at once, each as
 * `path: problem (got VALUE)`.
 */
import { readFile } from 'node:fs/promises'
import type { TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { parse as parseYaml } from 'yaml'
import { WasmgateError } from '../errors.ts'
import { GatewayConfigSchema, type GatewayConfig } from './schema.ts'

export interface ConfigProblem {
  /** JSON-ish path, e.g. `clusters[0].endpoints[1]`. */
  readonly path: string
  readonly problem: string
  readonly value: unknown
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.path || '(root)'}: ${p.problem} (got ${describeValue(p.value)})`
}

export async function loadConfigFile(file: string): Promise<GatewayConfig> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new WasmgateError('WG_ERR_CONFIG_READ', [file, (err as Error).message], { cause: err })
  }
  return parseConfigText(text, file)
}

export function parseConfigText(text: string, file = '<inline>'): GatewayConfig {
  let raw: unknown
  try {
    raw = parseYaml(text, { prettyErrors: true })
  } catch (err) {
    throw new WasmgateError('WG_ERR_CONFIG_PARSE', [file, (err as Error).message], { cause: err })
  }
  return validateConfig(raw ?? {})
}

/** Validates a plain object (from YAML, JSON or code), fills defaults, freezes it. */
export function validateConfig(input: unknown): GatewayConfig {
  const candidate = Value.Default(GatewayConfigSchema, structuredClone(input ?? {}))
  const problems: ConfigProblem[] = []
  for (const err of Value.Errors(GatewayConfigSchema, candidate)) {
    problems.push({ path: pointerToPath(err.path), problem: describeExpectation(err.schema, err.message), value: err.value })
  }
  problems.push(...crossCheckSafely(candidate as GatewayConfig))
  if (problems.length > 0) {
    const lines = dedupe(dropShadowed(problems)).map(formatProblem)
    throw new WasmgateError('WG_ERR_CONFIG_INVALID', [`\n  ${lines.join('\n  ')}`], { details: lines })
  }
  return deepFreeze(candidate as GatewayConfig)
}

function describeExpectation(schema: TSchema, message: string): string {
  const options = (schema.anyOf as TSchema[] | undefined)?.map((s) => s.const as unknown)
  if (options && options.every((o) => typeof o === 'string')) return `expected one of ${options.join(', ')}`
  if (message === 'Expected required property') return 'is required'
  if (message === 'Expected union value') return `expected ${(schema.anyOf as TSchema[] | undefined)?.map(describeType).join(' or ') ?? 'another type'}`
  // Lowercase only the first letter: the rest may quote a pattern, whose case matters.
  return message.charAt(0).toLowerCase() + message.slice(1)
}

function describeType(s: TSchema): string {
  if (s.type === 'array') return `an array of ${describeType(s.items as TSchema).replace(/^an? /, '')}s`
  return `a ${String(s.type ?? 'value')}`
}

/** Cross-checks also run on a config with schema errors, so every problem shows at once. */
function crossCheckSafely(cfg: GatewayConfig): ConfigProblem[] {
  try {
    return crossCheck(cfg)
  } catch {
    return [] // the shape is too broken to cross-check; the schema errors say why
  }
}

/** Checks the schema cannot express: unique names, references, parseable URLs and regexes. */
function crossCheck(cfg: GatewayConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = []
  const clusterNames = uniqueNames(cfg.clusters, 'clusters', problems)
  const filterNames = uniqueNames(cfg.filters, 'filters', problems)

  cfg.clusters.forEach((c, i) => {
    c.endpoints.forEach((e, j) => {
      const url = safeUrl(e)
      if (!url || url.pathname !== '/' || url.search || url.username) {
        problems.push({ path: `clusters[${i}].endpoints[${j}]`, problem: 'must be http(s)://host[:port] with no path', value: e })
      }
    })
  })

  cfg.routes.forEach((r, i) => {
    const at = `routes[${i}]`
    if (r.cluster === undefined && r.directResponse === undefined) {
      problems.push({ path: at, problem: 'needs a cluster or a directResponse', value: r })
    }
    if (r.cluster !== undefined && !clusterNames.has(r.cluster)) {
      problems.push({ path: `${at}.cluster`, problem: `no cluster with this name (defined: ${[...clusterNames].join(', ') || 'none'})`, value: r.cluster })
    }
    r.filters.forEach((f, j) => {
      if (!filterNames.has(f)) {
        problems.push({ path: `${at}.filters[${j}]`, problem: `no filter with this name (defined: ${[...filterNames].join(', ') || 'none'})`, value: f })
      }
    })
    if (r.match.prefix !== undefined && r.match.path !== undefined) {
      problems.push({ path: `${at}.match`, problem: 'set prefix or path, not both', value: r.match })
    }
    r.match.headers?.forEach((h, j) => {
      if (h.regex !== undefined && !safeRegex(h.regex)) {
        problems.push({ path: `${at}.match.headers[${j}].regex`, problem: 'is not a valid regular expression', value: h.regex })
      }
    })
  })

  cfg.filters.forEach((f, i) => {
    if (f.source.startsWith('https://') && f.sha256 === undefined) {
      problems.push({ path: `filters[${i}].sha256`, problem: 'is required for an https:// source', value: undefined })
    }
    if (f.source.startsWith('http://')) {
      problems.push({ path: `filters[${i}].source`, problem: 'plain http sources are refused; use https:// with sha256, a path or oci://', value: f.source })
    }
  })
  return problems
}

function uniqueNames(items: ReadonlyArray<{ name: string }>, at: string, problems: ConfigProblem[]): Set<string> {
  const seen = new Set<string>()
  items.forEach((item, i) => {
    if (seen.has(item.name)) problems.push({ path: `${at}[${i}].name`, problem: 'duplicates an earlier name', value: item.name })
    seen.add(item.name)
  })
  return seen
}

function safeUrl(s: string): URL | undefined {
  try {
    return new URL(s)
  } catch {
    return undefined
  }
}

function safeRegex(s: string): boolean {
  try {
    new RegExp(s)
    return true
  } catch {
    return false
  }
}

/** `/clusters/0/endpoints/1` → `clusters[0].endpoints[1]` */
export function pointerToPath(pointer: string): string {
  let out = ''
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    out += /^\d+$/.test(seg) ? `[${seg}]` : out === '' ? seg : `.${seg}`
  }
  return out
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing'
  const s = JSON.stringify(v)
  if (s === undefined) return String(v)
  return s.length > 80 ? `${s.slice(0, 77)}...` : s
}

/** A missing property also fails its type check at the same path; keep only "is required". */
function dropShadowed(problems: ConfigProblem[]): ConfigProblem[] {
  const required = new Set(problems.filter((p) => p.problem === 'is required').map((p) => p.path))
  return problems.filter((p) => p.problem === 'is required' || !required.has(p.path) || p.value !== undefined)
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>()
  return problems.filter((p) => {
    const key = `${p.path}|${p.problem}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value as object)) deepFreeze(v)
  }
  return value
}
