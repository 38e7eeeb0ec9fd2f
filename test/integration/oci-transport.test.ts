import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { buildImage } from '../../host/oci/artifact.ts'
import { createCredentialSource, pullWasmModule, pushWasmModule } from '../../host/oci/index.ts'
import { tinyWasm } from '../helpers/tiny-wasm.ts'

// Small registries written for one behaviour each (CDN redirects, stalls, hostile Locations)
// that docker-registry cannot be made to show. They are real node:http servers on 127.0.0.1.
const servers: Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections() // the stalled request's socket
    await new Promise<void>((resolve) => s.close(() => resolve()))
  }
})

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `127.0.0.1:${(server.address() as { port: number }).port}`
}

const credentials = createCredentialSource({ username: 'u', password: 'p', env: {} })
const basic = `Basic ${Buffer.from('u:p').toString('base64')}`

describe('transport', () => {
  it('follows a blob redirect to another origin without sending it the registry credentials', async () => {
    const wasm = tinyWasm({ salt: 'cdn' })
    const image = buildImage(wasm, { format: 'cncf' })
    const blobs = new Map(image.blobs.map((b) => [b.descriptor.digest, b.bytes]))
    const cdnSeen: IncomingHttpHeaders[] = []
    const cdn = await listen((req, res) => {
      cdnSeen.push(req.headers)
      const body = blobs.get(req.url!.slice('/cdn/'.length))
      if (body === undefined) res.writeHead(404).end()
      else res.writeHead(200, { 'content-length': body.length }).end(body)
    })
    const host = await listen((req, res) => {
      if (req.headers.authorization !== basic) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end()
        return
      }
      const url = req.url!
      if (url === '/v2/') res.writeHead(200).end('{}')
      else if (url.startsWith('/v2/f/manifests/')) res.writeHead(200, { 'content-type': image.manifestMediaType, 'docker-content-digest': image.manifestDigest }).end(image.manifest)
      else if (url.startsWith('/v2/f/blobs/')) res.writeHead(307, { location: `http://${cdn}/cdn/${url.slice('/v2/f/blobs/'.length)}` }).end()
      else res.writeHead(404).end()
    })
    const pulled = await pullWasmModule(`${host}/f:v1`, { cacheDir: false, credentials })
    expect(Buffer.compare(pulled.bytes, wasm)).toBe(0)
    expect(cdnSeen.length).toBeGreaterThan(0)
    expect(cdnSeen.every((h) => h.authorization === undefined)).toBe(true)
  })

  it('fails a stalled registry with WG_ERR_OCI_UNREACHABLE instead of hanging', async () => {
    const host = await listen((req, res) => {
      if (req.url === '/v2/') res.writeHead(200).end('{}')
      // manifests: never answer (the socket is closed when the server closes)
    })
    await expect(pullWasmModule(`${host}/f:v1`, { cacheDir: false, credentials, timeoutMs: 300 })).rejects.toMatchObject({ code: 'WG_ERR_OCI_UNREACHABLE' })
  })

  it('refuses an upload Location that points at another host', async () => {
    const host = await listen((req, res) => {
      const url = req.url!
      if (url === '/v2/') res.writeHead(200).end('{}')
      else if (req.method === 'HEAD') res.writeHead(404).end()
      else if (req.method === 'POST') res.writeHead(202, { location: 'http://198.51.100.7/v2/f/blobs/uploads/x' }).end()
      else res.writeHead(500).end()
    })
    await expect(pushWasmModule(tinyWasm(), `${host}/f:v1`, { credentials })).rejects.toMatchObject({ code: 'WG_ERR_OCI_REGISTRY' })
  })

  it('refuses to send credentials to a plain-http token realm off loopback (WG_ERR_OCI_INSECURE)', async () => {
    // 192.0.2.0/24 is TEST-NET-1: the refusal must come before any connection is tried.
    const host = await listen((req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="http://192.0.2.1/token",service="s"' }).end()
    })
    await expect(pullWasmModule(`${host}/f:v1`, { cacheDir: false, credentials })).rejects.toMatchObject({ code: 'WG_ERR_OCI_INSECURE' })
  })
})
