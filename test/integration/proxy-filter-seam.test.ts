/**
 * The server side of the filter contract (host/filter/contract.ts), driven by a small chain
 * written in TypeScript so these tests do not depend on the Wasm runtime: what the server feeds
 * a FilterStream, and that every StreamSink method does what the contract says.
 */
import { Readable } from 'node:stream'
import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import type { FilterChain, FilterStream, StreamInfo, StreamSink } from '../../host/filter/contract.ts'
import type { HeaderMap } from '../../host/filter/header-map.ts'
import type { FilterRuntime } from '../../host/filter/runtime.ts'
import { startGateway } from '../helpers/gateway.ts'
import { startUpstream, type EchoBody } from '../helpers/upstream.ts'
import { waitFor } from '../helpers/wait.ts'

class TestChain implements FilterChain {
  readonly filterNames: string[]
  created = 0
  destroyed = 0
  readonly requestHeaders: string[][] = []
  constructor(
    name: string,
    readonly wantsBodies: boolean,
  ) {
    this.filterNames = [name]
  }
  createStream(info: StreamInfo, sink: StreamSink): FilterStream {
    this.created++
    return new TestStream(this, info, sink)
  }
}

class TestStream implements FilterStream {
  readonly wantsRequestBody: boolean
  readonly wantsResponseBody: boolean
  readonly isRouteCacheCleared = false
  readonly #req: Buffer[] = []
  readonly #res: Buffer[] = []
  #resHeaders: HeaderMap | undefined = undefined
  constructor(
    readonly chain: TestChain,
    readonly info: StreamInfo,
    readonly sink: StreamSink,
  ) {
    this.wantsRequestBody = chain.wantsBodies
    this.wantsResponseBody = chain.wantsBodies
  }
  decodeHeaders(h: HeaderMap, eos: boolean): void {
    this.chain.requestHeaders.push([...h.flat])
    const path = h.get(':path')
    if (path === '/deny') return this.sink.sendLocalReply(403, [['x-denied', '1']], 'denied', 'test says no')
    if (path === '/fail') return this.sink.failStream('WG_ERR_FILTER_TRAPPED', 'test trap')
    h.add('x-filter', this.info.requestId)
    h.set(':path', `/filtered${path}`)
    this.sink.sendRequestHeaders(h, eos)
  }
  decodeData(chunk: Uint8Array, eos: boolean): void {
    this.#req.push(Buffer.from(chunk))
    if (eos) this.sink.sendRequestData(Buffer.from(Buffer.concat(this.#req).toString().toUpperCase()), true)
  }
  decodeTrailers(): void {
    this.decodeData(new Uint8Array(0), true)
  }
  encodeHeaders(h: HeaderMap, eos: boolean): void {
    h.set('x-filtered-response', String(this.info.responseCode))
    // The stream owns content-length: hold the headers until the changed body's length is known.
    if (this.wantsResponseBody && !eos) this.#resHeaders = h
    else this.sink.sendResponseHeaders(h, eos)
  }
  encodeData(chunk: Uint8Array, eos: boolean): void {
    if (!this.wantsResponseBody) return this.sink.sendResponseData(chunk, eos)
    this.#res.push(Buffer.from(chunk))
    if (!eos) return
    const body = Buffer.concat([...this.#res, Buffer.from('!')])
    this.#flushResponseHeaders(String(body.length))
    this.sink.sendResponseData(body, true)
  }
  encodeTrailers(t: HeaderMap): void {
    this.#flushResponseHeaders(undefined)
    this.sink.sendResponseData(Buffer.concat(this.#res), false)
    this.sink.sendResponseTrailers(t)
  }
  #flushResponseHeaders(contentLength: string | undefined): void {
    const h = this.#resHeaders
    if (h === undefined) return
    this.#resHeaders = undefined
    if (contentLength === undefined) h.remove('content-length')
    else h.set('content-length', contentLength)
    this.sink.sendResponseHeaders(h, false)
  }
  destroy(): void {
    this.chain.destroyed++
  }
}

async function seamGateway(upstreamUrl: string) {
  const chains = { bodies: new TestChain('bodies', true), headers: new TestChain('headers', false) }
  const runtime = async (): Promise<FilterRuntime> => ({ chainFor: (names) => chains[names[0] as 'bodies' | 'headers'], close: async () => {} })
  const gw = await startGateway(
    {
      clusters: [{ name: 'c', endpoints: [upstreamUrl] }],
      filters: [
        { name: 'bodies', source: 'unused.wasm' },
        { name: 'headers', source: 'unused.wasm' },
      ],
      routes: [
        { match: { prefix: '/plain' }, cluster: 'c' },
        { match: { prefix: '/stream' }, cluster: 'c', filters: ['headers'] },
        { match: { prefix: '/' }, cluster: 'c', filters: ['bodies'] },
      ],
    },
    { filterRuntimeForTesting: runtime },
  )
  return { gw, chains }
}

describe('filter seam', () => {
  it('gives filters pseudo-headers and proxy headers, and forwards what they change, bodies included', async () => {
    const up = await startUpstream()
    const { gw, chains } = await seamGateway(up.url)
    const res = await request(`${gw.url}/echo?q=1`, { method: 'POST', body: 'hello filters' })
    const text = await res.body.text()
    expect(text.endsWith('!')).toBe(true)
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(text)))
    expect(res.headers['x-filtered-response']).toBe('200')
    const echo = JSON.parse(text.slice(0, -1)) as EchoBody
    expect(echo.path).toBe('/filtered/echo?q=1')
    expect(echo.body).toBe('HELLO FILTERS')
    expect(echo.headers['content-length']).toBe('13')
    expect(echo.headers['x-filter']).toBe(res.headers['x-request-id'])
    const seen = chains.bodies.requestHeaders[0] ?? []
    expect(seen.slice(0, 8)).toEqual([':method', 'POST', ':path', '/echo?q=1', ':authority', new URL(gw.url).host, ':scheme', 'http'])
    expect(seen).toContain('x-forwarded-for')
    expect(seen).toContain('x-request-id')
    expect(seen).not.toContain('host')
    await waitFor(() => chains.bodies.destroyed === chains.bodies.created, 'every filter stream destroyed')
  })

  it('streams bodies untouched when no filter reads them', async () => {
    const up = await startUpstream()
    const { gw, chains } = await seamGateway(up.url)
    async function* parts() {
      for (let i = 0; i < 50; i++) yield Buffer.from(`part${i};`)
    }
    const res = await request(`${gw.url}/stream/x`, { method: 'POST', body: Readable.from(parts()) })
    const echo = (await res.body.json()) as EchoBody
    expect(echo.path).toBe('/filtered/stream/x')
    expect(echo.body).toBe(Array.from({ length: 50 }, (_, i) => `part${i};`).join(''))
    expect(chains.headers.created).toBe(1)
  })

  it('answers local replies and failStream without reaching the upstream; routes without filters skip the chain', async () => {
    const up = await startUpstream()
    const { gw, chains } = await seamGateway(up.url)
    const denied = await request(`${gw.url}/deny`)
    expect(denied.statusCode).toBe(403)
    expect(denied.headers['x-denied']).toBe('1')
    expect(await denied.body.text()).toBe('denied')
    const failed = await request(`${gw.url}/fail`)
    expect(failed.statusCode).toBe(503)
    const body = (await failed.body.json()) as { code: string; requestId: string }
    expect(body).toEqual({ code: 'WG_ERR_FILTER_TRAPPED', requestId: failed.headers['x-request-id'] })
    await gw.waitForLog((r) => r.code === 'WG_ERR_FILTER_TRAPPED' && r.requestId === body.requestId)
    expect(up.requests).toBe(0)
    const plain = await request(`${gw.url}/plain`)
    expect(((await plain.body.json()) as EchoBody).path).toBe('/plain')
    expect(chains.bodies.created).toBe(2)
    await waitFor(() => chains.bodies.destroyed === 2, 'both streams destroyed')
  })

  it('destroys the filter stream once when the client aborts', async () => {
    const up = await startUpstream(() => undefined) // never answers
    const { gw, chains } = await seamGateway(up.url)
    const controller = new AbortController()
    const pending = request(`${gw.url}/hang`, { signal: controller.signal }).catch((e: unknown) => e)
    await waitFor(() => up.requests === 1, 'the request to reach the upstream')
    controller.abort()
    await pending
    await waitFor(() => chains.bodies.destroyed === 1, 'the filter stream destroyed')
    const access = await gw.waitForLog((r) => r.type === 'access')
    expect(access.status).toBe(499)
  })
})
