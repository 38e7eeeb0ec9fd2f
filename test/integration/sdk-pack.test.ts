// The author's workflow as a user gets it: pack wasmgate (npm pack), scaffold a project with
// `wasmgate new`, install it against the tarball, then `npm test` in it, which runs
// `wasmgate build` and the scaffold's own test on wasmgate/testing.
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const root = new URL('../../', import.meta.url).pathname
const work = mkdtempSync(join(tmpdir(), 'wasmgate-pack-'))
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
let tarball = ''

async function sh(cmd: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, maxBuffer: 16 * 1024 * 1024 })
    return `${stdout}\n${stderr}`
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string }
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`)
  }
}

describe('wasmgate new + build + npm test, from the packed package', () => {
  beforeAll(async () => {
    if (!existsSync(join(root, 'dist', 'cli.js')) || !existsSync(join(root, 'dist', 'testing.js'))) {
      throw new Error('dist/ is not built: run `npm run build` (npm test does it) before this test')
    }
    const out = await sh(npm, ['pack', '--pack-destination', work], root)
    const name = out.split('\n').map((l) => l.trim()).find((l) => /^wasmgate-.*\.tgz$/.test(l))
    if (name === undefined) throw new Error(`npm pack printed no tarball name:\n${out}`)
    tarball = join(work, name)
  }, 120_000)

  afterAll(() => {
    rmSync(work, { recursive: true, force: true })
  })

  it('scaffolds a project that installs, builds and passes its own tests', async () => {
    const project = join(work, 'hello-filter')
    // Scaffold with the packed CLI itself, the way `npx wasmgate new` would run it.
    const unpacked = join(work, 'cli')
    await sh(npm, ['install', '--prefer-offline', '--no-save', '--prefix', unpacked, tarball], work)
    const created = await sh('node', [join(unpacked, 'node_modules', 'wasmgate', 'bin', 'wasmgate.js'), 'new', 'hello-filter', project, '--wasmgate', `file:${tarball}`], work)
    expect(created).toContain('assembly/index.ts')
    expect(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).devDependencies.wasmgate).toBe(`file:${tarball}`)

    await sh(npm, ['install', '--prefer-offline'], project)
    const tested = await sh(npm, ['test'], project)
    expect(tested).toMatch(/built build\/hello-filter\.wasm\s+size:\s+\d+ bytes\s+sha256: [0-9a-f]{64}/)
    expect(tested).toMatch(/Tests\s+2 passed/)
    expect(existsSync(join(project, 'build', 'hello-filter.wasm'))).toBe(true)

    const debug = await sh(npm, ['run', 'build:debug'], project)
    expect(debug).toContain('built build/hello-filter.debug.wasm')
    expect(existsSync(join(project, 'build', 'hello-filter.debug.wasm.map'))).toBe(true)
  }, 600_000)
})
