/**
 * Starts a real registry for OCI tests: Debian's `docker-registry` (CNCF distribution 2.8) on
 * 127.0.0.1 with a temp storage dir, in one of four setups: plain, htpasswd Basic auth, Bearer
 * token auth (with a small token server in this process), and any of those behind TLS signed by
 * a test CA made with `openssl`. Missing programs fail the test with the install command.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createHash, createPrivateKey, randomUUID, sign, X509Certificate } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { createServer as createNetServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent, fetch } from 'undici'

export interface RegistryOptions {
  readonly auth?: 'none' | 'basic' | 'token'
  readonly tls?: boolean
  /** user -> password; defaults to { tester: 's3cret' }. */
  readonly users?: Readonly<Record<string, string>>
  /** Token auth only: what an anonymous token grants (default: nothing). */
  readonly anonymousPull?: boolean
}

export interface TestRegistry {
  /** `127.0.0.1:PORT`, what goes in a reference. */
  readonly host: string
  readonly url: string
  readonly storageDir: string
  readonly users: Readonly<Record<string, string>>
  /** PEM of the test CA when tls is on. */
  readonly caPem: string | undefined
  /** Token requests seen, with the scope asked for and the user (token auth only). */
  readonly tokenRequests: { scope: string[]; user: string | undefined; granted: string[] }[]
  /** Path of a blob's data file in the registry's storage (to tamper with it). */
  blobDataPath(digest: string): string
  close(): Promise<void>
}

const INSTALL = 'apt-get install -y docker-registry skopeo apache2-utils openssl (Debian; .ci/run does this)'

export function requireProgram(program: string, versionArgs: string[] = ['--version']): void {
  const r = spawnSync(program, versionArgs, { stdio: 'ignore' })
  if (r.error !== undefined) throw new Error(`${program} is required by this test but is not installed: ${INSTALL}`)
}

export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  requireProgram('docker-registry')
  const dir = await mkdtemp(join(tmpdir(), 'wasmgate-registry-'))
  const storageDir = join(dir, 'data')
  const users = options.users ?? { tester: 's3cret' }
  const auth = options.auth ?? 'none'
  const cleanups: (() => Promise<void>)[] = [() => rm(dir, { recursive: true, force: true })]
  const tokenRequests: TestRegistry['tokenRequests'] = []
  try {
    const lines: string[] = []
    let caPem: string | undefined
    if (auth === 'basic') {
      requireProgram('htpasswd', ['-h'])
      const entries = Object.entries(users).map(([u, p]) => run('htpasswd', ['-Bbn', u, p]).trim())
      await writeFile(join(dir, 'htpasswd'), `${entries.join('\n')}\n`)
      lines.push('auth:', '  htpasswd:', '    realm: test-realm', `    path: ${join(dir, 'htpasswd')}`)
    }
    if (auth === 'token') {
      requireProgram('openssl', ['version'])
      run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=test-token-signer', '-keyout', join(dir, 'token.key'), '-out', join(dir, 'token.crt')])
      const server = await startTokenServer(dir, users, options.anonymousPull === true, tokenRequests)
      cleanups.push(() => new Promise((resolve) => server.close(() => resolve())))
      const { port } = server.address() as { port: number }
      lines.push('auth:', '  token:', `    realm: http://127.0.0.1:${port}/token`, '    service: test-registry', '    issuer: test-issuer', `    rootcertbundle: ${join(dir, 'token.crt')}`)
    }
    const tlsLines: string[] = []
    if (options.tls === true) {
      requireProgram('openssl', ['version'])
      caPem = makeTestCa(dir)
      tlsLines.push('  tls:', `    certificate: ${join(dir, 'server.crt')}`, `    key: ${join(dir, 'server.key')}`)
    }
    const port = await freePort()
    const config = [
      'version: 0.1',
      'log: { level: warn, formatter: text }',
      'storage:',
      `  filesystem: { rootdirectory: ${storageDir} }`,
      '  delete: { enabled: true }',
      '  maintenance: { uploadpurging: { enabled: false } }',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '  secret: local-test-only-secret',
      ...tlsLines,
      ...lines,
    ].join('\n')
    await writeFile(join(dir, 'config.yml'), `${config}\n`)
    const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] })
    let log = ''
    child.stdout?.on('data', (d: Buffer) => (log += d.toString()))
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()))
    cleanups.unshift(() => stopChild(child))
    const url = `${options.tls === true ? 'https' : 'http'}://127.0.0.1:${port}`
    await waitUntilUp(url, child, () => log, caPem)
    return {
      host: `127.0.0.1:${port}`,
      url,
      storageDir,
      users,
      caPem,
      tokenRequests,
      blobDataPath(digest) {
        const hex = digest.replace(/^sha256:/, '')
        return join(storageDir, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data')
      },
      async close() {
        for (const c of cleanups) await c()
      },
    }
  } catch (err) {
    for (const c of cleanups) await c().catch(() => {})
    throw err
  }
}

function run(program: string, args: string[]): string {
  const r = spawnSync(program, args, { encoding: 'utf8' })
  if (r.error !== undefined || r.status !== 0) throw new Error(`${program} ${args.join(' ')} failed: ${r.error?.message ?? r.stderr}`)
  return r.stdout
}

/** A test CA and a server certificate for 127.0.0.1/localhost signed by it; returns the CA PEM. */
function makeTestCa(dir: string): string {
  const p = (f: string) => join(dir, f)
  run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=wasmgate test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-keyout', p('ca.key'), '-out', p('ca.crt')])
  run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', p('server.key'), '-out', p('server.csr')])
  writeFileSync(p('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n')
  run('openssl', ['x509', '-req', '-in', p('server.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', p('server.ext'), '-out', p('server.crt')])
  return readFileSync(p('ca.crt'), 'utf8')
}

/** The distribution token protocol: Basic-authenticated GET, an RS256 JWT with an x5c header. */
async function startTokenServer(dir: string, users: Readonly<Record<string, string>>, anonymousPull: boolean, seen: TestRegistry['tokenRequests']): Promise<Server> {
  const key = createPrivateKey(await readFile(join(dir, 'token.key')))
  const certDer = new X509Certificate(await readFile(join(dir, 'token.crt'))).raw.toString('base64')
  const b64url = (v: Buffer | string) => Buffer.from(v).toString('base64url')
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const header = req.headers.authorization ?? ''
    let user: string | undefined
    if (header.startsWith('Basic ')) {
      const [u, ...rest] = Buffer.from(header.slice(6), 'base64').toString().split(':')
      if (u === undefined || users[u] !== rest.join(':')) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}')
        return
      }
      user = u
    }
    const scopes = url.searchParams.getAll('scope')
    const access = scopes.flatMap((s) => {
      const [type, name, actions] = [s.slice(0, s.indexOf(':')), s.slice(s.indexOf(':') + 1, s.lastIndexOf(':')), s.slice(s.lastIndexOf(':') + 1)]
      const wanted = actions.split(',')
      const granted = user !== undefined ? wanted : anonymousPull ? wanted.filter((a) => a === 'pull') : []
      return granted.length === 0 ? [] : [{ type, name, actions: granted }]
    })
    seen.push({ scope: scopes, user, granted: access.flatMap((a) => a.actions) })
    const now = Math.floor(Date.now() / 1000)
    const claims = { iss: 'test-issuer', sub: user ?? '', aud: url.searchParams.get('service') ?? '', exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access }
    const signingInput = `${b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [certDer] }))}.${b64url(JSON.stringify(claims))}`
    const token = `${signingInput}.${b64url(sign('sha256', Buffer.from(signingInput), key))}`
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return server
}

async function freePort(): Promise<number> {
  const server = createNetServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

async function waitUntilUp(url: string, child: ChildProcess, log: () => string, caPem: string | undefined): Promise<void> {
  const dispatcher = new Agent({ connect: caPem === undefined ? {} : { ca: caPem } })
  const deadline = Date.now() + 15_000
  let exited = false
  child.once('exit', () => (exited = true))
  try {
    while (Date.now() < deadline) {
      if (exited) throw new Error(`docker-registry exited while starting:\n${log()}`)
      try {
        const res = await fetch(`${url}/v2/`, { dispatcher })
        await res.body?.cancel()
        if (res.status === 200 || res.status === 401) return
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 50)) // polling interval with a deadline
    }
    throw new Error(`docker-registry did not answer on ${url} within 15 s:\n${log()}`)
  } finally {
    await dispatcher.close()
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

/** sha256 hex of a string, for tests that name things by content. */
export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex')
}
