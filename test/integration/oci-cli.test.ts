import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRegistry, type TestRegistry } from '../helpers/registry.ts'
import { tinyWasm } from '../helpers/tiny-wasm.ts'

const root = new URL('../..', import.meta.url).pathname
let registry: TestRegistry
let dir: string

// The CLI as users run it: the bundle the integration globalSetup rebuilds from the current sources.
const cli = join(root, 'bin', 'wasmgate.js')

beforeAll(async () => {
  registry = await startRegistry({ auth: 'basic' })
  dir = await mkdtemp(join(tmpdir(), 'wasmgate-oci-cli-'))
})
afterAll(async () => {
  await registry?.close()
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

/** Runs the real `wasmgate` CLI in a child process with its own docker config and cache. */
function wasmgate(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, DOCKER_CONFIG: join(dir, 'docker'), WASMGATE_CACHE_DIR: join(dir, 'cache') },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(stdin)
  })
}

describe('wasmgate push / pull / login / inspect', () => {
  it('refuses to push without credentials, then logs in, pushes, pulls and inspects with --json', async () => {
    const wasm = tinyWasm({ withImport: true, salt: 'cli' })
    await writeFile(join(dir, 'filter.wasm'), wasm)
    const ref = `${registry.host}/cli/filter:v1`

    const denied = await wasmgate(['push', 'filter.wasm', ref])
    expect(denied.code).toBe(1)
    expect(denied.stderr).toContain('WG_ERR_OCI_AUTH')

    const badLogin = await wasmgate(['login', registry.host, '-u', 'tester', '--password-stdin'], 'wrong\n')
    expect(badLogin.code).toBe(1)
    expect(badLogin.stderr).toContain('WG_ERR_OCI_AUTH')

    const login = await wasmgate(['login', registry.host, '-u', 'tester', '--password-stdin', '--json'], 's3cret\n')
    expect(login.code).toBe(0)
    const config = JSON.parse(await readFile(join(dir, 'docker', 'config.json'), 'utf8'))
    expect(config.auths[registry.host].auth).toBe(Buffer.from('tester:s3cret').toString('base64'))

    const push = await wasmgate(['push', 'filter.wasm', ref, '--root-id', 'cli_root', '--annotation', 'org.example/team=edge', '--json'])
    expect(push.code).toBe(0)
    const pushed = JSON.parse(push.stdout)
    expect(pushed).toMatchObject({ format: 'oci', abiVersions: ['v0.2.1'], reference: ref })

    const pull = await wasmgate(['pull', `oci://${ref}`, '-o', 'out.wasm', '--json'])
    expect(pull.code).toBe(0)
    expect(JSON.parse(pull.stdout)).toMatchObject({ manifestDigest: pushed.manifestDigest, rootIds: ['cli_root'], output: 'out.wasm' })
    expect(Buffer.compare(await readFile(join(dir, 'out.wasm')), wasm)).toBe(0)

    const inspectRef = await wasmgate(['inspect', ref, '--json'])
    expect(inspectRef.code).toBe(0)
    const info = JSON.parse(inspectRef.stdout)
    expect(info).toMatchObject({ abiVersion: 'v0.2.1', sizeBytes: wasm.length, sha256: pushed.sha256 })
    expect(info.imports).toEqual([{ module: 'env', name: 'proxy_log', kind: 'function' }])
    expect(info.image.annotations).toMatchObject({ 'module.wasm.runtime/abi_version': 'v0.2.1', 'io.wasmgate.root_ids': 'cli_root', 'org.example/team': 'edge' })

    const inspectFile = await wasmgate(['inspect', 'filter.wasm'])
    expect(inspectFile.code).toBe(0)
    expect(inspectFile.stdout).toMatch(/ABI version:\s+v0\.2\.1/)
    expect(inspectFile.stdout).toContain('proxy_on_memory_allocate')
  })

  it('names the existing tags when a tag is missing, and exits non-zero on bad input', async () => {
    const missing = await wasmgate(['pull', `${registry.host}/cli/filter:nope`, '-u', 'tester', '-p', 's3cret'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('WG_ERR_OCI_NOT_FOUND')
    expect(missing.stderr).toContain('v1')
    const badRef = await wasmgate(['pull', 'Not A Ref'])
    expect(badRef.code).toBe(1)
    expect(badRef.stderr).toContain('WG_ERR_OCI_REFERENCE')
    await writeFile(join(dir, 'junk.wasm'), 'not wasm at all')
    const junk = await wasmgate(['push', 'junk.wasm', `${registry.host}/cli/junk:v1`])
    expect(junk.code).toBe(1)
    expect(junk.stderr).toContain('WG_ERR_WASM_INVALID')
  })
})
