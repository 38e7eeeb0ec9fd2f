// A route's filters run on WebSocket upgrades, as in Envoy: the handshake's request headers go
// through the chain (auth can refuse it, rewrites apply), the upstream's 101 or refusal goes back
// through the response callbacks, and on_log runs when the tunnel closes. Real proxy, real
// WebSocket server and client, the real production filters.
import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { filterDir, useFilterBuild } from '../helpers/filter-harness.ts'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { sha256Hex } from '../helpers/jwt-tokens.ts'
import { startUpstream } from '../helpers/upstream.ts'
import { deferred, waitFor } from '../helpers/wait.ts'

const auth = useFilterBuild(filterDir('auth'))
const rewrite = useFilterBuild(filterDir('header-rewrite'))
const telemetry = useFilterBuild(filterDir('telemetry'))

interface Handshake {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: string
  readonly ws: WebSocket | undefined
}

/** Opens a WebSocket through the gateway; resolves with the 101 (socket open) or the refusal. */
function connect(gw: TestGateway, path: string, headers: Record<string, string> = {}): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${gw.url.replace('http', 'ws')}${path}`, { headers })
    ws.once('upgrade', (res) => ws.once('open', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '', ws })))
    ws.once('unexpected-response', (_req, res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ws: undefined })
        ws.terminate()
      })
    })
    ws.once('error', (err) => reject(err))
  })
}

async function startChatUpstream() {
  const up = await startUpstream()
  const seen: Record<string, string | string[] | undefined>[] = []
  const live = { count: 0 }
  const wss = new WebSocketServer({
    server: up.server,
    verifyClient: (info, done) => (/^\/(ws|chat)\//.test(info.req.url ?? '') ? done(true) : done(false, 404, 'not a websocket')),
  })
  wss.on('connection', (sock, req) => {
    seen.push({ ...req.headers, ':path': req.url })
    live.count++
    sock.on('close', () => live.count--)
    sock.on('message', (m) => sock.send(`echo:${m.toString()}`))
  })
  return { up, seen, live }
}

describe('filters on WebSocket upgrades', () => {
  it('auth refuses a handshake without a key (the upstream never sees it) and lets one with a key through', async () => {
    const { up, seen } = await startChatUpstream()
    const gw = await startGateway({
      clusters: [{ name: 'chat', endpoints: [up.url] }],
      filters: [
        { name: 'auth', source: auth.wasm, config: { apiKeys: { keys: [{ name: 'app', sha256: sha256Hex('k-1') }], consumerHeader: 'x-consumer', strip: true } } },
        {
          name: 'rewrite',
          source: rewrite.wasm,
          config: { rules: [{ match: { prefix: '/ws/' }, request: { set: { 'x-via-filter': '1' } }, response: { set: { 'x-handshake': 'filtered' } } }] },
        },
      ],
      // The route's rewrite applies after the filters, which match on the client's path.
      routes: [{ name: 'chat', match: { prefix: '/ws/' }, cluster: 'chat', filters: ['auth', 'rewrite'], rewrite: { prefix: '/chat/' } }],
    })

    const refused = await connect(gw, '/ws/room')
    expect(refused.status).toBe(401)
    expect(refused.headers['www-authenticate']).toBe('ApiKey realm="wasmgate"')
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'unauthorized' })
    const wrong = await connect(gw, '/ws/room', { 'x-api-key': 'guess' })
    expect(wrong.status).toBe(401)
    expect(seen).toHaveLength(0)

    const ok = await connect(gw, '/ws/room', { 'x-api-key': 'k-1' })
    expect(ok.status).toBe(101)
    expect(ok.headers['x-handshake']).toBe('filtered')
    const ws = ok.ws as WebSocket
    const reply = new Promise<string>((resolve) => ws.once('message', (m) => resolve(m.toString())))
    ws.send('hi')
    expect(await reply).toBe('echo:hi')
    ws.close()
    // The upstream's handshake carried what the filters set and not the stripped credential.
    expect(seen[0]).toMatchObject({ 'x-consumer': 'app', 'x-via-filter': '1', ':path': '/chat/room' })
    expect(seen[0]?.['x-api-key']).toBeUndefined()
  })

  it('holds the handshake while an external authorization call is out, then opens or refuses it', async () => {
    const { up, seen, live } = await startChatUpstream()
    let calls = 0
    let answered = 0
    // The third call is held until the test lets it go: its client gives up meanwhile.
    const third = deferred()
    const authz = await startUpstream(async (req, res) => {
      calls++
      if (calls === 3) await third.promise
      res.once('finish', () => answered++)
      if (req.headers.authorization === 'Bearer good') res.writeHead(200, { 'x-authz-user': 'ann' }).end()
      else res.writeHead(403, { 'content-type': 'text/plain' }).end('denied by policy')
    })
    const gw = await startGateway({
      clusters: [
        { name: 'chat', endpoints: [up.url] },
        { name: 'authz', endpoints: [authz.url] },
      ],
      filters: [{ name: 'auth', source: auth.wasm, config: { extAuthz: { cluster: 'authz', upstreamHeaders: ['x-authz-*'] } } }],
      routes: [{ match: { prefix: '/ws/' }, cluster: 'chat', filters: ['auth'] }],
    })
    const denied = await connect(gw, '/ws/x', { authorization: 'Bearer bad' })
    expect(denied.status).toBe(403)
    expect(denied.body).toBe('denied by policy')
    const ok = await connect(gw, '/ws/x', { authorization: 'Bearer good' })
    expect(ok.status).toBe(101)
    ok.ws?.close()
    expect(calls).toBe(2)
    expect(seen).toHaveLength(1)
    expect(seen[0]?.['x-authz-user']).toBe('ann')

    // A client that gives up while the call is out leaves nothing open upstream, and the proxy goes on.
    await waitFor(() => live.count === 0, 'the first tunnel closed upstream')
    const early = new WebSocket(`${gw.url.replace('http', 'ws')}/ws/x`, { headers: { authorization: 'Bearer good' } })
    early.on('error', () => undefined)
    await waitFor(() => calls === 3, 'the third authorization call')
    early.terminate()
    third.resolve()
    await waitFor(() => answered === 3, 'the third authorization answered')
    await waitFor(() => live.count === 0, 'no tunnel left open upstream')
    const after = await connect(gw, '/ws/x', { authorization: 'Bearer good' })
    expect(after.status).toBe(101)
    after.ws?.close()
  })

  it('relays a refused upgrade through the response callbacks, and logs the tunnel when it closes', async () => {
    const { up } = await startChatUpstream()
    const gw = await startGateway({
      clusters: [{ name: 'chat', endpoints: [up.url] }],
      filters: [
        { name: 'telemetry', source: telemetry.wasm, config: {} },
        { name: 'rewrite', source: rewrite.wasm, config: { rules: [{ match: { prefix: '/' }, response: { set: { 'x-seen': 'yes' } } }] } },
      ],
      routes: [
        { name: 'ws', match: { prefix: '/ws/' }, cluster: 'chat', filters: ['telemetry', 'rewrite'] },
        { name: 'plain', match: { prefix: '/' }, cluster: 'chat', filters: ['telemetry', 'rewrite'] },
      ],
    })
    // The upstream refuses handshakes outside /ws/ with a 404: the refusal goes through the filters.
    const refused = await connect(gw, '/plain')
    expect(refused.status).toBe(404)
    expect(refused.body).toBe('not a websocket')
    expect(refused.headers['x-seen']).toBe('yes')

    const ok = await connect(gw, '/ws/a')
    expect(ok.status).toBe(101)
    expect(ok.headers['x-seen']).toBe('yes')
    const ws = ok.ws as WebSocket
    await new Promise((resolve) => {
      ws.once('close', resolve)
      ws.close()
    })
    // on_log ran for both: telemetry counted the refusal as 4xx and the tunnel as 1xx.
    const stats = async () => (await (await request(`${gw.adminUrl}/stats/prometheus`)).body.text())
    await waitFor(async () => (await stats()).includes('wasmcustom_http_requests_total{route="ws",class="1xx"} 1'), 'the tunnel counted after it closed')
    expect(await stats()).toContain('wasmcustom_http_requests_total{route="plain",class="4xx"} 1')
  })

  it('answers a gateway error through the filters when the upstream is down', async () => {
    const gw = await startGateway({
      clusters: [{ name: 'dead', endpoints: ['http://127.0.0.1:1'] }],
      filters: [{ name: 'rewrite', source: rewrite.wasm, config: { rules: [{ match: { prefix: '/' }, response: { set: { 'x-seen': 'yes' } } }] } }],
      routes: [{ match: { prefix: '/' }, cluster: 'dead', filters: ['rewrite'] }],
    })
    const res = await connect(gw, '/ws')
    expect(res.status).toBe(502)
    expect(res.headers['x-seen']).toBe('yes')
    expect(JSON.parse(res.body)).toMatchObject({ code: 'WG_ERR_UPSTREAM_CONNECT' })
    // The proxy keeps serving.
    const again = await connect(gw, '/ws')
    expect(again.status).toBe(502)
  })
})
