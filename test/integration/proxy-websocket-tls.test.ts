import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { describe, expect, it, onTestFinished } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { startGateway } from '../helpers/gateway.ts'
import { startUpstream, type EchoBody } from '../helpers/upstream.ts'
import { waitFor } from '../helpers/wait.ts'

describe('websocket', () => {
  it('tunnels an Upgrade request and echoes messages both ways', async () => {
    const up = await startUpstream()
    const wss = new WebSocketServer({ server: up.server })
    wss.on('connection', (ws, req) => {
      ws.send(`hello ${req.url} ${req.headers['x-forwarded-for']}`)
      ws.on('message', (m) => ws.send(`echo:${m.toString()}`))
    })
    onTestFinished(() => wss.close())
    const gw = await startGateway({ clusters: [{ name: 'c', endpoints: [up.url] }], routes: [{ match: { prefix: '/ws' }, cluster: 'c' }] })
    const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/ws/chat`)
    onTestFinished(() => ws.terminate())
    const messages: string[] = []
    ws.on('message', (m) => messages.push(m.toString()))
    const got = (n: number) => waitFor(() => messages.length >= n, `${n} websocket messages`)
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
    await got(1)
    ws.send('ping')
    await got(2)
    expect(messages).toEqual(['hello /ws/chat 127.0.0.1', 'echo:ping'])
    ws.close()
    await new Promise((r) => ws.once('close', r))
  })

  it('relays a refused upgrade and answers 404 for an unrouted one', async () => {
    const up = await startUpstream((_req, res) => void res.writeHead(403).end('no'))
    const gw = await startGateway({ clusters: [{ name: 'c', endpoints: [up.url] }], routes: [{ match: { prefix: '/ws' }, cluster: 'c' }] })
    const statusOf = (path: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${gw.url.replace('http', 'ws')}${path}`)
        ws.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0)
          ws.terminate()
        })
        ws.on('error', () => undefined)
      })
    expect(await statusOf('/ws/x')).toBe(403)
    expect(await statusOf('/nope')).toBe(404)
  })
})

describe('tls', () => {
  it('terminates TLS with a cert and key from files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasmgate-tls-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' })
    } catch (err) {
      throw new Error(`this test needs the openssl CLI (apt-get install openssl): ${(err as Error).message}`)
    }
    const up = await startUpstream()
    const gw = await startGateway(
      { listen: { tls: { cert: 'cert.pem', key: 'key.pem' } }, clusters: [{ name: 'c', endpoints: [up.url] }], routes: [{ match: {}, cluster: 'c' }] },
      { baseDir: dir },
    )
    expect(gw.url.startsWith('https://')).toBe(true)
    const agent = new Agent({ connect: { ca: readFileSync(join(dir, 'cert.pem')) } })
    onTestFinished(() => agent.close())
    const res = await request(`${gw.url}/secure`, { dispatcher: agent })
    const body = (await res.body.json()) as EchoBody
    expect(res.statusCode).toBe(200)
    expect(body.path).toBe('/secure')
    expect(body.headers['x-forwarded-proto']).toBe('https')
  })

  it('refuses to start with unreadable TLS files', async () => {
    await expect(startGateway({ listen: { tls: { cert: '/nonexistent/cert.pem', key: '/nonexistent/key.pem' } } })).rejects.toMatchObject({ code: 'WG_ERR_SERVER_TLS' })
  })
})
