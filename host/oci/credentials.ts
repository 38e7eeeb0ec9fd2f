/**
 * @module
 * Registry credentials, looked up the way docker does so `docker login` / `wasmgate login`
 * work for both tools: flags, then WASMGATE_REGISTRY_USERNAME/PASSWORD, then
 * DOCKER_AUTH_CONFIG, then `$DOCKER_CONFIG/config.json` (or ~/.docker/config.json):
 * `credHelpers[host]`, then `credsStore`, then `auths`. Podman's REGISTRY_AUTH_FILE comes last.
 */
import { spawn } from 'node:child_process'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { WasmgateError } from '../errors.ts'

export interface Credential {
  readonly username?: string
  readonly password?: string
  /** An OAuth2 refresh token (config.json `identitytoken`, or a helper's `<token>` user). */
  readonly identityToken?: string
  /** A bearer token used as is (config.json `registrytoken`). */
  readonly registryToken?: string
}

export interface CredentialOptions {
  readonly username?: string
  readonly password?: string
  /** Defaults to process.env; tests pass their own. */
  readonly env?: NodeJS.ProcessEnv
}

/** Finds credentials for a registry (as written in the reference); undefined means anonymous. */
export type CredentialSource = (registry: string) => Promise<Credential | undefined>

interface AuthEntry {
  auth?: string
  username?: string
  password?: string
  identitytoken?: string
  registrytoken?: string
}
interface DockerConfig {
  auths?: Record<string, AuthEntry>
  credsStore?: string
  credHelpers?: Record<string, string>
  [key: string]: unknown
}

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker'), 'config.json')
}

export function credentialKey(registry: string): string {
  return registry
}

export function createCredentialSource(options: CredentialOptions = {}): CredentialSource {
  const env = options.env ?? process.env
  return async (registry) => {
    if (options.username !== undefined || options.password !== undefined) {
      return { username: options.username ?? '', password: options.password ?? '' }
    }
    if (env.WASMGATE_REGISTRY_USERNAME !== undefined || env.WASMGATE_REGISTRY_PASSWORD !== undefined) {
      return { username: env.WASMGATE_REGISTRY_USERNAME ?? '', password: env.WASMGATE_REGISTRY_PASSWORD ?? '' }
    }
    if (env.DOCKER_AUTH_CONFIG) {
      const found = await lookup(parseConfig(env.DOCKER_AUTH_CONFIG, 'DOCKER_AUTH_CONFIG', registry), registry, env)
      if (found !== undefined) return found
    }
    const config = await readConfig(dockerConfigPath(env), registry)
    const found = config === undefined ? undefined : await lookup(config, registry, env)
    if (found !== undefined) return found
    if (env.REGISTRY_AUTH_FILE) {
      const podman = await readConfig(env.REGISTRY_AUTH_FILE, registry)
      if (podman !== undefined) return entryCredential(findAuthEntry(podman, registry), registry)
    }
    return undefined
  }
}

/** Stores credentials the docker way: in the configured helper if any, else base64 in `auths`. */
export async function storeCredential(registry: string, credential: { username: string; password: string }, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const path = dockerConfigPath(env)
  const config = (await readConfig(path, registry)) ?? {}
  const key = credentialKey(registry)
  const helper = config.credHelpers?.[key] ?? config.credsStore
  if (helper) {
    await runHelper(helper, 'store', JSON.stringify({ ServerURL: key, Username: credential.username, Secret: credential.password }), registry, env)
    return `credential helper docker-credential-${helper}`
  }
  const auths = { ...(config.auths ?? {}) }
  auths[key] = { auth: Buffer.from(`${credential.username}:${credential.password}`).toString('base64') }
  const next = { ...config, auths }
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 })
    const tmp = `${path}.${process.pid}.tmp`
    await writeFile(tmp, `${JSON.stringify(next, null, '\t')}\n`, { mode: 0o600 })
    await rename(tmp, path)
  } catch (err) {
    throw new WasmgateError('WG_ERR_OCI_CREDENTIALS', [registry, `cannot write ${path}: ${(err as Error).message}`], { cause: err })
  }
  return path
}

async function readConfig(path: string, registry: string): Promise<DockerConfig | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new WasmgateError('WG_ERR_OCI_CREDENTIALS', [registry, `cannot read ${path}: ${(err as Error).message}`], { cause: err })
  }
  return parseConfig(text, path, registry)
}

function parseConfig(text: string, where: string, registry: string): DockerConfig {
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object')
    return parsed as DockerConfig
  } catch (err) {
    throw new WasmgateError('WG_ERR_OCI_CREDENTIALS', [registry, `${where} is not valid JSON: ${(err as Error).message}`], { cause: err })
  }
}

async function lookup(config: DockerConfig, registry: string, env: NodeJS.ProcessEnv): Promise<Credential | undefined> {
  const key = credentialKey(registry)
  const helper = config.credHelpers?.[key] ?? config.credHelpers?.[registry] ?? config.credsStore
  if (helper) {
    const out = await runHelper(helper, 'get', key, registry, env)
    if (out !== undefined) return out
  }
  return entryCredential(findAuthEntry(config, registry), registry)
}

function findAuthEntry(config: DockerConfig, registry: string): AuthEntry | undefined {
  const auths = config.auths ?? {}
  const key = credentialKey(registry)
  if (auths[key] !== undefined) return auths[key]
  // Legacy keys such as `https://host/v1/` match by host name (docker's ConvertToHostname).
  for (const [k, entry] of Object.entries(auths)) {
    const host = k.replace(/^[a-z]+:\/\//i, '').split('/')[0]
    if (host === registry) return entry
  }
  return undefined
}

function entryCredential(entry: AuthEntry | undefined, registry: string): Credential | undefined {
  if (entry === undefined) return undefined
  if (entry.identitytoken) return { identityToken: entry.identitytoken, ...(entry.username ? { username: entry.username } : {}) }
  if (entry.registrytoken) return { registryToken: entry.registrytoken }
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon < 0) throw new WasmgateError('WG_ERR_OCI_CREDENTIALS', [registry, 'the auths entry is not base64 of user:password'])
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
  }
  if (entry.username !== undefined || entry.password !== undefined) return { username: entry.username ?? '', password: entry.password ?? '' }
  return undefined
}

/** Runs `docker-credential-<helper> <verb>`; for `get`, "not found" answers undefined. */
async function runHelper(helper: string, verb: 'get' | 'store', input: string, registry: string, env: NodeJS.ProcessEnv): Promise<Credential | undefined> {
  const program = `docker-credential-${helper}`
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(program, [verb], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.on('error', () => {}) // the helper may exit before reading; its exit code tells
    child.stdin.end(input)
  }).catch((err: NodeJS.ErrnoException) => {
    const why = err.code === 'ENOENT' ? `${program} is not installed (named in the docker config)` : err.message
    throw new WasmgateError('WG_ERR_OCI_CREDENTIALS', [registry, why], { cause: err })
  })
  if (code !== 0) {
    const text = (stdout + stderr).trim()
    if (verb === 'get' && /not found/i.test(text)) return undefined // the helper protocol's "no entry" answer
    throw new WasmgateError('WG_ERR_OCI_CREDENTIALS', [registry, `${program} ${verb} exited ${code}: ${text}`])
  }
  if (verb === 'store') return undefined
  try {
    const answer = JSON.parse(stdout) as { Username?: string; Secret?: string }
    if (answer.Username === '<token>') return { identityToken: answer.Secret ?? '' }
    return { username: answer.Username ?? '', password: answer.Secret ?? '' }
  } catch (err) {
    throw new WasmgateError('WG_ERR_OCI_CREDENTIALS', [registry, `${program} get printed invalid JSON`], { cause: err })
  }
}
