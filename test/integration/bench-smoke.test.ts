// The benchmark runner works end to end: one second against the upstream alone, one table out.
// No timing assertion: only that a row with a number came back and nothing was left running.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const root = new URL('../..', import.meta.url).pathname

describe('bench/run.mjs', () => {
  it('measures the direct upstream for 1 s and prints the markdown table', async () => {
    const { stdout } = await run(process.execPath, ['bench/run.mjs'], {
      cwd: root,
      env: { ...process.env, SCENARIOS: 'direct', WORKLOADS: 'get', DURATION: '1', ROUNDS: '1', WARMUP: '0' },
      timeout: 60_000,
    })
    expect(stdout).toContain('| Scenario | req/s | p50 ms | p99 ms | RSS MB | CPU µs/req |')
    const row = stdout.split('\n').find((l) => l.startsWith('| upstream direct (ceiling) · GET small |'))
    expect(row, stdout).toBeDefined()
    const rps = Number(row?.split('|')[2]?.trim().replaceAll(',', ''))
    expect(rps).toBeGreaterThan(0)
    expect(stdout).toMatch(/^Machine: \d+ cores/m)
  })

  it('refuses an unknown scenario name with the list of known ones', async () => {
    const err = await run(process.execPath, ['bench/run.mjs'], { cwd: root, env: { ...process.env, SCENARIOS: 'nope' }, timeout: 30_000 }).then(
      () => undefined,
      (e: { stderr: string; code: number }) => e,
    )
    expect(err?.code).not.toBe(0)
    expect(err?.stderr).toContain('unknown scenario "nope"; known: direct, nginx')
  })
})
