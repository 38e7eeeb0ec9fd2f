import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createCredentialSource, pullWasmModule, pushWasmModule, RegistryClient } from '../../host/oci/index.ts'
import { startRegistry, type TestRegistry } from '../helpers/registry.ts'
import { tinyWasm } from '../helpers/tiny-wasm.ts'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function registryWith(options: Parameters<typeof startRegistry>[0]): Promise<TestRegistry> {
  const r = await startRegistry(options)
  cleanups.push(() => r.close())
  return r
}

const as = (username: string, password: string) => createCredentialSource({ username, password, env: {} })
const anonymous = async () => undefined

describe.each(['basic', 'token'] as const)('%s auth', (auth) => {
  it('pushes and pulls with good credentials', async () => {
    const registry = await registryWith({ auth })
    const wasm = tinyWasm({ salt: auth })
    const ref = `${registry.host}/team/filter:v1`
    const pushed = await pushWasmModule(wasm, ref, { credentials: as('tester', 's3cret') })
    const pulled = await pullWasmModule(ref, { cacheDir: false, credentials: as('tester', 's3cret') })
    expect(Buffer.compare(pulled.bytes, wasm)).toBe(0)
    expect(pulled.manifestDigest).toBe(pushed.manifestDigest)
  })

  it('refuses wrong credentials and missing credentials with WG_ERR_OCI_AUTH', async () => {
    const registry = await registryWith({ auth })
    const ref = `${registry.host}/team/filter:v1`
    await expect(pushWasmModule(tinyWasm(), ref, { credentials: as('tester', 'wrong') })).rejects.toMatchObject({ code: 'WG_ERR_OCI_AUTH' })
    await expect(pullWasmModule(ref, { cacheDir: false, credentials: as('nobody', 'x') })).rejects.toMatchObject({ code: 'WG_ERR_OCI_AUTH' })
    await expect(pullWasmModule(ref, { cacheDir: false, credentials: anonymous })).rejects.toMatchObject({ code: 'WG_ERR_OCI_AUTH' })
  })

  it('reads credentials from a docker config.json', async () => {
    const registry = await registryWith({ auth })
    const dir = await mkdtemp(join(tmpdir(), 'wasmgate-dockercfg-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from('tester:s3cret').toString('base64') } } }))
    const credentials = createCredentialSource({ env: { DOCKER_CONFIG: dir } })
    await pushWasmModule(tinyWasm(), `${registry.host}/team/cfg:v1`, { credentials })
    expect((await pullWasmModule(`${registry.host}/team/cfg:v1`, { cacheDir: false, credentials })).format).toBe('oci')
  })
})

describe('token auth details', () => {
  it('asks for pull,push when pushing and pull only when pulling, with one scope per request', async () => {
    const registry = await registryWith({ auth: 'token' })
    const ref = `${registry.host}/team/scoped:v1`
    await pushWasmModule(tinyWasm(), ref, { credentials: as('tester', 's3cret') })
    await pullWasmModule(ref, { cacheDir: false, credentials: as('tester', 's3cret') })
    const scopes = registry.tokenRequests.map((r) => r.scope)
    expect(scopes[0]).toEqual(['repository:team/scoped:pull,push'])
    expect(scopes.at(-1)).toEqual(['repository:team/scoped:pull'])
    // tokens are cached per scope: one token for the whole push, one for the pull
    expect(registry.tokenRequests).toHaveLength(2)
  })

  it('lets anonymous callers pull where the token server allows it, and refuses their push (insufficient scope)', async () => {
    const registry = await registryWith({ auth: 'token', anonymousPull: true })
    const ref = `${registry.host}/public/filter:v1`
    await pushWasmModule(tinyWasm(), ref, { credentials: as('tester', 's3cret') })
    expect((await pullWasmModule(ref, { cacheDir: false, credentials: anonymous })).format).toBe('oci')
    await expect(pushWasmModule(tinyWasm({ salt: 'anon' }), ref, { credentials: anonymous })).rejects.toMatchObject({ code: 'WG_ERR_OCI_AUTH' })
  })

  it('login-style ping: good credentials pass, wrong ones give WG_ERR_OCI_AUTH', async () => {
    const registry = await registryWith({ auth: 'token' })
    const good = new RegistryClient(registry.host, registry.host, { credentials: as('tester', 's3cret') })
    const bad = new RegistryClient(registry.host, registry.host, { credentials: as('tester', 'nope') })
    cleanups.push(() => good.close(), () => bad.close())
    await good.ping()
    await expect(bad.ping()).rejects.toMatchObject({ code: 'WG_ERR_OCI_AUTH' })
  })
})

describe('TLS with a test CA', () => {
  it('verifies the registry certificate against --ca-file, refuses an unknown CA, and allows --insecure', async () => {
    const registry = await registryWith({ auth: 'basic', tls: true })
    const credentials = as('tester', 's3cret')
    const ref = `${registry.host}/secure/filter:v1`
    const pushed = await pushWasmModule(tinyWasm(), ref, { credentials, caPem: registry.caPem! })
    // loopback without the CA: https fails verification, and plain http to a TLS port is not accepted
    await expect(pullWasmModule(ref, { cacheDir: false, credentials })).rejects.toMatchObject({ code: 'WG_ERR_OCI_UNREACHABLE' })
    const pulled = await pullWasmModule(ref, { cacheDir: false, credentials, insecure: true })
    expect(pulled.manifestDigest).toBe(pushed.manifestDigest)
  })
})
