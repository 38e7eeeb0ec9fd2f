import { Readable } from 'node:stream'
import { connect } from 'node:net'
import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { startGateway } from '../helpers/gateway.ts'
import { rawRequest } from '../helpers/raw-http.ts'
import { startUpstream, type EchoBody } from '../helpers/upstream.ts'

function proxyTo(url: string, extra: Record<string, unknown> = {}) {
  return { clusters: [{ name: 'c', endpoints: [url] }], routes: [{ match: {}, cluster: 'c' }], ...extra }
}

describe('client errors', () => {
  it('answers a malformed request line with 400 JSON, and the next connection works', async () => {
    const up = await startUpstream()
    const gw = await startGateway(proxyTo(up.url))
    const bad = await rawRequest(gw.url, 'GARBAGE\r\n\r\n')
    expect(bad.status).toBe(400)
    const body = JSON.parse(bad.body) as { code: string; requestId: string }
    expect(body.code).toBe('WG_ERR_REQUEST_MALFORMED')
    expect(bad.headers['x-request-id']).toBe(body.requestId)
    await gw.waitForLog((r) => r.code === 'WG_ERR_REQUEST_MALFORMED' && r.requestId === body.requestId)
    const bad2 = await rawRequest(gw.url, 'GET / HTTP/1.1\r\nHost: x\r\nBad Header Name: y\r\n\r\n')
    expect(bad2.status).toBe(400)
    expect(up.requests).toBe(0)
    const good = await rawRequest(gw.url, 'GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    expect(good.status).toBe(200)
    expect((JSON.parse(good.body) as EchoBody).path).toBe('/after')
  })

  it('answers 431 for headers over limits.maxRequestHeadersBytes', async () => {
    const up = await startUpstream()
    const gw = await startGateway(proxyTo(up.url, { limits: { maxRequestHeadersBytes: 1024 } }))
    const res = await rawRequest(gw.url, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4000)}\r\nConnection: close\r\n\r\n`)
    expect(res.status).toBe(431)
    expect((JSON.parse(res.body) as { code: string }).code).toBe('WG_ERR_REQUEST_HEADERS_TOO_LARGE')
    expect(up.requests).toBe(0)
  })

  it('answers 413 for a body over limits.maxRequestBodyBytes, declared or streamed', async () => {
    const up = await startUpstream()
    const gw = await startGateway(proxyTo(up.url, { limits: { maxRequestBodyBytes: 1000 } }))
    const declared = await request(gw.url, { method: 'POST', body: 'x'.repeat(2000) })
    expect(declared.statusCode).toBe(413)
    expect(((await declared.body.json()) as { code: string }).code).toBe('WG_ERR_REQUEST_BODY_TOO_LARGE')
    expect(up.requests).toBe(0)
    async function* chunks() {
      for (let i = 0; i < 20; i++) yield Buffer.alloc(100, 'y')
    }
    const streamed = await request(gw.url, { method: 'POST', body: Readable.from(chunks()) })
    const text = await streamed.body.text()
    expect(streamed.statusCode).toBe(413)
    expect((JSON.parse(text) as { code: string }).code).toBe('WG_ERR_REQUEST_BODY_TOO_LARGE')
    const small = await request(gw.url, { method: 'POST', body: 'small' })
    expect(((await small.body.json()) as EchoBody).body).toBe('small')
  })

  it('serves keep-alive requests on one connection', async () => {
    const up = await startUpstream()
    const gw = await startGateway(proxyTo(up.url))
    const { port } = new URL(gw.url)
    const socket = connect(Number(port), '127.0.0.1')
    const text = await new Promise<string>((resolve) => {
      let out = ''
      socket.on('data', (c: Buffer) => {
        out += c.toString()
        if ((out.match(/HTTP\/1.1 200/g) ?? []).length === 2 && out.endsWith('}')) resolve(out)
      })
      socket.write('GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n')
    })
    socket.destroy()
    expect(text).toContain('"/one"')
    expect(text).toContain('"/two"')
  })
})
