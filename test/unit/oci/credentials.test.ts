import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createCredentialSource, storeCredential } from '../../../host/oci/credentials.ts'

const dirs: string[] = []
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
})

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'wasmgate-cred-'))
  dirs.push(d)
  return d
}

const b64 = (s: string) => Buffer.from(s).toString('base64')

/** A real docker credential helper program: answers from a JSON file beside it, appends stores to it. */
async function helper(dir: string, name: string): Promise<void> {
  const script = `#!/bin/sh
store="${dir}/helper-store.json"
read -r input
if [ "$1" = get ]; then
  if grep -q "\\"$input\\"" "$store" 2>/dev/null; then grep "\\"$input\\"" "$store"; exit 0; fi
  echo "credentials not found in native keychain"; exit 1
fi
if [ "$1" = store ]; then echo "$input" >> "$store"; exit 0; fi
exit 2
`
  await writeFile(join(dir, `docker-credential-${name}`), script)
  await chmod(join(dir, `docker-credential-${name}`), 0o755)
}

describe('credentials', () => {
  it('reads auths from $DOCKER_CONFIG/config.json, by exact key and by legacy URL key', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { 'reg.example:5000': { auth: b64('alice:pw:with:colons') }, 'https://old.example/v1/': { username: 'bob', password: 'pw2' } } }))
    const source = createCredentialSource({ env: { DOCKER_CONFIG: dir } })
    expect(await source('reg.example:5000')).toEqual({ username: 'alice', password: 'pw:with:colons' })
    expect(await source('old.example')).toEqual({ username: 'bob', password: 'pw2' })
    expect(await source('unknown.example')).toBeUndefined()
  })

  it('maps identitytoken and registrytoken, and finds a registry under a legacy https://HOST/v1/ key', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { 'https://legacy.example/v1/': { identitytoken: 'refresh-me' }, 'tok.example': { registrytoken: 'bearer-me' } } }))
    const source = createCredentialSource({ env: { DOCKER_CONFIG: dir } })
    expect(await source('legacy.example')).toEqual({ identityToken: 'refresh-me' })
    expect(await source('tok.example')).toEqual({ registryToken: 'bearer-me' })
  })

  it('lets flags win over the environment, and the environment over config.json', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { 'r.example': { auth: b64('file:f') } } }))
    const env = { DOCKER_CONFIG: dir, WASMGATE_REGISTRY_USERNAME: 'env', WASMGATE_REGISTRY_PASSWORD: 'e' }
    expect(await createCredentialSource({ env, username: 'flag', password: 'x' })('r.example')).toEqual({ username: 'flag', password: 'x' })
    expect(await createCredentialSource({ env })('r.example')).toEqual({ username: 'env', password: 'e' })
    expect(await createCredentialSource({ env: { DOCKER_CONFIG: dir, DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'r.example': { auth: b64('dac:d') } } }) } })('r.example')).toEqual({ username: 'dac', password: 'd' })
  })

  it('asks credHelpers[host] first, then credsStore, running the real helper program', async () => {
    const dir = await tempDir()
    await helper(dir, 'testhelper')
    await writeFile(join(dir, 'helper-store.json'), `${JSON.stringify({ ServerURL: 'h.example', Username: 'helped', Secret: 'sec' })}\n${JSON.stringify({ ServerURL: 'tok.example', Username: '<token>', Secret: 'idt' })}\n`)
    await writeFile(join(dir, 'config.json'), JSON.stringify({ credsStore: 'testhelper', auths: { 'a.example': { auth: b64('fromauths:a') } } }))
    const env = { DOCKER_CONFIG: dir, PATH: `${dir}:${process.env.PATH}` }
    const source = createCredentialSource({ env })
    expect(await source('h.example')).toEqual({ username: 'helped', password: 'sec' })
    expect(await source('tok.example')).toEqual({ identityToken: 'idt' })
    expect(await source('a.example')).toEqual({ username: 'fromauths', password: 'a' }) // helper says not found
  })

  it('fails with WG_ERR_OCI_CREDENTIALS for a missing helper or a broken config file', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'config.json'), JSON.stringify({ credHelpers: { 'x.example': 'absent-helper-xyz' } }))
    await expect(createCredentialSource({ env: { DOCKER_CONFIG: dir, PATH: dir } })('x.example')).rejects.toMatchObject({ code: 'WG_ERR_OCI_CREDENTIALS' })
    await writeFile(join(dir, 'config.json'), '{ not json')
    await expect(createCredentialSource({ env: { DOCKER_CONFIG: dir } })('x.example')).rejects.toMatchObject({ code: 'WG_ERR_OCI_CREDENTIALS' })
  })

  it('stores credentials in auths (mode 0600, other keys kept) or through the configured helper', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { 'keep.example': { auth: b64('k:k') } }, experimental: 'enabled' }))
    await storeCredential('new.example:5000', { username: 'u', password: 'p' }, { DOCKER_CONFIG: dir })
    const saved = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'))
    expect(saved).toEqual({ auths: { 'keep.example': { auth: b64('k:k') }, 'new.example:5000': { auth: b64('u:p') } }, experimental: 'enabled' })
    expect(await createCredentialSource({ env: { DOCKER_CONFIG: dir } })('new.example:5000')).toEqual({ username: 'u', password: 'p' })

    const hdir = await tempDir()
    await helper(hdir, 'testhelper')
    await writeFile(join(hdir, 'config.json'), JSON.stringify({ credsStore: 'testhelper' }))
    const env = { DOCKER_CONFIG: hdir, PATH: `${hdir}:${process.env.PATH}` }
    expect(await storeCredential('s.example', { username: 'su', password: 'sp' }, env)).toContain('docker-credential-testhelper')
    expect(JSON.parse(await readFile(join(hdir, 'helper-store.json'), 'utf8'))).toEqual({ ServerURL: 's.example', Username: 'su', Secret: 'sp' })
  })
})
