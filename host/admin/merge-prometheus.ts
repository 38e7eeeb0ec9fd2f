/**
 * @module
 * Merges the Prometheus text of several workers into one exposition: every sample gets a
 * `worker="PID"` label, and each metric family keeps one HELP and one TYPE line with all the
 * workers' samples under it (a family repeated per worker would be invalid text format).
 */

export interface WorkerMetrics {
  /** The label value, the worker's pid. */
  readonly worker: string
  readonly text: string
}

interface Family {
  help: string | undefined
  type: string | undefined
  readonly samples: string[]
}

export function mergePrometheus(inputs: readonly WorkerMetrics[]): string {
  const families = new Map<string, Family>()
  const familyOf = (name: string): Family => {
    let family = families.get(name)
    if (family === undefined) {
      family = { help: undefined, type: undefined, samples: [] }
      families.set(name, family)
    }
    return family
  }
  for (const { worker, text } of inputs) {
    let current = familyOf('')
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue
      const meta = /^# (HELP|TYPE) (\S+)/.exec(line)
      if (meta !== null) {
        current = familyOf(meta[2] as string)
        if (meta[1] === 'HELP') current.help ??= line
        else current.type ??= line
        continue
      }
      if (line.startsWith('#')) continue
      current.samples.push(withWorkerLabel(line, worker))
    }
  }
  const out: string[] = []
  for (const family of families.values()) {
    if (family.help !== undefined) out.push(family.help)
    if (family.type !== undefined) out.push(family.type)
    out.push(...family.samples)
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`
}

/** `name{a="1"} 3` -> `name{worker="W",a="1"} 3`; `name 3` -> `name{worker="W"} 3`. */
function withWorkerLabel(line: string, worker: string): string {
  const label = `worker="${worker.replace(/["\\\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`
  const space = line.indexOf(' ')
  const brace = line.indexOf('{')
  if (brace !== -1 && (space === -1 || brace < space)) {
    const rest = line.slice(brace + 1)
    return rest.startsWith('}') ? `${line.slice(0, brace)}{${label}${rest}` : `${line.slice(0, brace)}{${label},${rest}`
  }
  if (space === -1) return line
  return `${line.slice(0, space)}{${label}}${line.slice(space)}`
}
