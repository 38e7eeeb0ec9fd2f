import { logLines, eventually, type Gateway } from './hostcalls.ts'

/** The on_done / on_log / on_delete lines of one request (by tag), once on_delete arrived. */
export async function endLines(gw: Gateway, tag: string): Promise<string[]> {
  return eventually(() => {
    const l = logLines(gw, 'cb ').filter((x) => /^cb (done|log|delete) /.test(x) && x.endsWith(`tag=${tag}`))
    return l.some((x) => x.startsWith('cb delete ')) ? l : undefined
  }, `on_delete for ${tag}`)
}

export const names = (lines: string[]) => lines.map((l) => l.split(' ')[1])
