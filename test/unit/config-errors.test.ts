import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfigFile, parseConfigText, validateConfig } from '../../host/config/load.ts'
import { isWasmgateError } from '../../host/errors.ts'

/** The `path: problem (got VALUE)` lines of a refused config. */
function problems(input: unknown): string[] {
  try {
    validateConfig(input)
  } catch (err) {
    if (isWasmgateError(err, 'WG_ERR_CONFIG_INVALID')) return err.details as string[]
    throw err
  }
  throw new Error('config was accepted')
}

const cluster = { name: 'c', endpoints: ['http://127.0.0.1:1'] }

describe('config errors: one line per problem, as path: problem (got VALUE)', () => {
  const cases: [string, unknown, RegExp][] = [
    ['wrong type', { listen: { port: 'x' } }, /^listen\.port: expected integer \(got "x"\)$/],
    ['below minimum', { listen: { port: -1 } }, /^listen\.port: expected integer to be greater or equal to 0 \(got -1\)$/],
    ['above maximum', { admin: { port: 70000 } }, /^admin\.port: expected integer to be less or equal to 65535 \(got 70000\)$/],
    ['missing required property', { clusters: [{ endpoints: ['http://a:1'] }] }, /^clusters\[0\]\.name: is required \(got nothing\)$/],
    ['unknown property', { bogus: 1 }, /^bogus: unexpected property \(got 1\)$/],
    ['unknown nested property', { clusters: [{ ...cluster, timeout: 5 }] }, /^clusters\[0\]\.timeout: unexpected property \(got 5\)$/],
    ['not one of the literals', { clusters: [{ ...cluster, lb: 'fast' }] }, /^clusters\[0\]\.lb: expected one of round_robin, least_request, random \(got "fast"\)$/],
    ['pattern mismatch', { clusters: [{ ...cluster, name: 'bad name' }] }, /^clusters\[0\]\.name: expected string to match '\^\[A-Za-z0-9_\.-\]\+\$' \(got "bad name"\)$/],
    ['too few items', { clusters: [{ name: 'c', endpoints: [] }] }, /^clusters\[0\]\.endpoints: expected array length to be greater or equal to 1 \(got \[\]\)$/],
    ['string too short', { routes: [{ match: { host: '' }, directResponse: { status: 200 } }] }, /^routes\[0\]\.match\.host: expected string length greater or equal to 1 \(got ""\)$/],
    ['union of types', { routes: [{ match: { method: 5 }, directResponse: { status: 200 } }] }, /^routes\[0\]\.match\.method: expected a string or an array of strings \(got 5\)$/],
    ['array expected', { routes: 'x' }, /^routes: expected array \(got "x"\)$/],
    ['duplicate name', { clusters: [cluster, cluster] }, /^clusters\[1\]\.name: duplicates an earlier name \(got "c"\)$/],
    ['unknown cluster', { routes: [{ match: {}, cluster: 'nope' }] }, /^routes\[0\]\.cluster: no cluster with this name \(defined: none\) \(got "nope"\)$/],
    ['unknown filter', { clusters: [cluster], routes: [{ match: {}, cluster: 'c', filters: ['f'] }] }, /^routes\[0\]\.filters\[0\]: no filter with this name \(defined: none\) \(got "f"\)$/],
    ['route without target', { routes: [{ match: {} }] }, /^routes\[0\]: needs a cluster or a directResponse \(got .*\)$/],
    ['prefix and path', { routes: [{ match: { prefix: '/a', path: '/b' }, directResponse: { status: 200 } }] }, /^routes\[0\]\.match: set prefix or path, not both/],
    ['bad regex', { routes: [{ match: { headers: [{ name: 'x', regex: '(' }] }, directResponse: { status: 200 } }] }, /^routes\[0\]\.match\.headers\[0\]\.regex: is not a valid regular expression \(got "\("\)$/],
    ['endpoint with a path', { clusters: [{ name: 'c', endpoints: ['http://a:1/x'] }] }, /^clusters\[0\]\.endpoints\[0\]: must be http\(s\):\/\/host\[:port\] with no path \(got "http:\/\/a:1\/x"\)$/],
    ['https source without sha256', { filters: [{ name: 'f', source: 'https://x/f.wasm' }] }, /^filters\[0\]\.sha256: is required for an https:\/\/ source \(got nothing\)$/],
  ]
  for (const [kind, input, line] of cases) {
    it(kind, () => {
      const lines = problems(input)
      expect(lines.some((l) => line.test(l)), `no line matched ${line} in:\n${lines.join('\n')}`).toBe(true)
      for (const l of lines) expect(l).toMatch(/^[^:]+: .+ \(got .*\)$/)
    })
  }

  it('reports every problem at once', () => {
    const lines = problems({ listen: { port: 'x' }, bogus: true, clusters: [{ ...cluster, lb: 'fast' }], routes: [{ match: {}, cluster: 'nope' }] })
    expect(lines).toHaveLength(4)
  })

  it('fills defaults and freezes a valid config', () => {
    const cfg = validateConfig({ clusters: [cluster], routes: [{ match: { prefix: '/' }, cluster: 'c' }] })
    expect(cfg.listen).toEqual({ host: '127.0.0.1', port: 8080 })
    expect(cfg.clusters[0]?.lb).toBe('round_robin')
    expect(cfg.clusters[0]?.retries.maxTries).toBe(1)
    expect(Object.isFrozen(cfg.clusters[0]?.endpoints)).toBe(true)
  })

  it('names YAML syntax errors and unreadable files with their own codes', async () => {
    expect(() => parseConfigText('listen: [unclosed')).toThrow(expect.objectContaining({ code: 'WG_ERR_CONFIG_PARSE' }))
    await expect(loadConfigFile('/nonexistent/wasmgate.yaml')).rejects.toMatchObject({ code: 'WG_ERR_CONFIG_READ' })
    const dir = mkdtempSync(join(tmpdir(), 'wasmgate-config-'))
    try {
      writeFileSync(join(dir, 'c.yaml'), 'clusters:\n  - name: c\n    endpoints: [ "http://127.0.0.1:1" ]\n')
      expect((await loadConfigFile(join(dir, 'c.yaml'))).clusters[0]?.name).toBe('c')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
