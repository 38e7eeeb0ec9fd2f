/**
 * @module
 * One request through a filter chain for wasmgate/testing: the harness plays the proxy's
 * downstream and upstream sides (a StreamSink recording what the filter let through), and
 * resolves once the response is complete, answered locally, failed or reset.
 */
import { randomUUID } from 'node:crypto'
import type { FilterStream, StreamInfo, StreamSink } from '../filter/contract.ts'
import { HeaderMap } from '../filter/header-map.ts'
import type { FilterRuntime } from '../filter/runtime.ts'
import type { Bytes, Headers, TestMessage, TestRequest, TestResponse, UpstreamHandler } from '../testing.ts'

let nextConnectionId = 1

export function headerPairs(h: Headers | undefined): Array<[string, string]> {
  if (h === undefined) return []
  return (Array.isArray(h) ? h : Object.entries(h)).map(([k, v]) => [k.toLowerCase(), String(v)] as [string, string])
}

export const toBytes = (b: Bytes | undefined): Uint8Array => (b === undefined ? new Uint8Array(0) : typeof b === 'string' ? Buffer.from(b, 'utf8') : b)

function message(headers: HeaderMap | undefined, chunks: Uint8Array[], trailers: HeaderMap | undefined): TestMessage {
  const body = Buffer.concat(chunks)
  return {
    headers: headers?.toObject() ?? {},
    headerList: headers === undefined ? [] : [...headers],
    body: body.toString('utf8'),
    bodyBytes: new Uint8Array(body),
    trailers: trailers?.toObject() ?? {},
  }
}


export function runRequest(runtime: FilterRuntime, name: string, req: TestRequest, upstream: UpstreamHandler): Promise<TestResponse> {
  return new Promise<TestResponse>((resolveResponse, rejectResponse) => {
    const up = { headers: undefined as HeaderMap | undefined, chunks: [] as Uint8Array[], trailers: undefined as HeaderMap | undefined, sent: false }
    const down = { headers: undefined as HeaderMap | undefined, chunks: [] as Uint8Array[], trailers: undefined as HeaderMap | undefined }
    let stream: FilterStream | undefined
    let settled = false
    let upstreamRequest: TestMessage | undefined

    const finish = (extra: Partial<TestResponse> & { status?: number }): void => {
      if (settled) return
      settled = true
      // End the stream (on_log, on_done, on_delete) after the current callback has returned.
      setImmediate(() => {
        try {
          stream?.destroy()
        } catch (err) {
          rejectResponse(err)
          return
        }
        const m = message(down.headers, down.chunks, down.trailers)
        resolveResponse({
          ...m,
          status: Number(down.headers?.get(':status') ?? 0),
          upstreamRequest,
          localReply: undefined,
          failure: undefined,
          reset: undefined,
          ...extra,
        })
      })
    }

    const callUpstream = (): void => {
      if (up.sent) return
      up.sent = true
      upstreamRequest = message(up.headers, up.chunks, up.trailers)
      setImmediate(() => {
        Promise.resolve()
          .then(() => upstream(upstreamRequest as TestMessage))
          .then((reply) => {
            if (settled || stream === undefined) return
            const body = toBytes(reply.body)
            const trailers = headerPairs(reply.trailers)
            const headers = HeaderMap.fromPairs([[':status', String(reply.status ?? 200)], ...headerPairs(reply.headers)])
            if (body.length > 0 && !headers.has('content-length') && !headers.has('transfer-encoding')) headers.set('content-length', String(body.length))
            stream.encodeHeaders(headers, body.length === 0 && trailers.length === 0)
            if (body.length > 0) stream.encodeData(body, trailers.length === 0)
            if (trailers.length > 0) stream.encodeTrailers(HeaderMap.fromPairs(trailers))
          })
          .catch(rejectResponse)
      })
    }

    const sink: StreamSink = {
      sendRequestHeaders(headers, eos) {
        up.headers = headers
        if (eos) callUpstream()
      },
      sendRequestData(chunk, eos) {
        up.chunks.push(Uint8Array.from(chunk))
        if (eos) callUpstream()
      },
      sendRequestTrailers(trailers) {
        up.trailers = trailers
        callUpstream()
      },
      sendResponseHeaders(headers, eos) {
        down.headers = headers
        if (eos) finish({})
      },
      sendResponseData(chunk, eos) {
        down.chunks.push(Uint8Array.from(chunk))
        if (eos) finish({})
      },
      sendResponseTrailers(trailers) {
        down.trailers = trailers
        finish({})
      },
      sendLocalReply(status, headers, body, details) {
        down.headers = HeaderMap.fromPairs([[':status', String(status)], ...headers])
        down.chunks = [toBytes(body)]
        finish({ status, localReply: { status, details } })
      },
      failStream(code, details) {
        down.headers = HeaderMap.fromPairs([[':status', '503'], ['content-type', 'application/json']])
        down.chunks = [Buffer.from(JSON.stringify({ code, requestId: info.requestId }))]
        finish({ status: 503, failure: { code, details } })
      },
      resetStream(details) {
        finish({ status: 0, reset: details })
      },
      pauseRequestReading() {},
      resumeRequestReading() {},
    }

    const info: StreamInfo = {
      requestId: randomUUID(),
      connectionId: nextConnectionId++,
      startTimeMs: Date.now(),
      startMonotonicMs: performance.now(),
      protocol: 'HTTP/1.1',
      sourceAddress: '127.0.0.1',
      sourcePort: 40000,
      destinationAddress: '127.0.0.1',
      destinationPort: 8080,
      isTls: (req.scheme ?? 'http') === 'https',
      tlsVersion: undefined,
      requestedServerName: undefined,
      routeName: 'test',
      clusterName: 'upstream',
      responseCode: 0,
      requestBodyBytes: 0,
      responseBodyBytes: 0,
      upstreamAddress: '127.0.0.1:3000',
    }

    try {
      stream = runtime.chainFor([name]).createStream(info, sink)
      const body = toBytes(req.body)
      const trailers = headerPairs(req.trailers)
      const headers = HeaderMap.fromPairs([
        [':method', req.method ?? (body.length > 0 ? 'POST' : 'GET')],
        [':path', req.path ?? '/'],
        [':authority', req.authority ?? 'example.test'],
        [':scheme', req.scheme ?? 'http'],
        ...headerPairs(req.headers),
      ])
      if (body.length > 0 && !headers.has('content-length')) headers.set('content-length', String(body.length))
      info.requestBodyBytes = body.length
      stream.decodeHeaders(headers, body.length === 0 && trailers.length === 0)
      if (body.length > 0) stream.decodeData(body, trailers.length === 0)
      if (trailers.length > 0) stream.decodeTrailers(HeaderMap.fromPairs(trailers))
    } catch (err) {
      rejectResponse(err)
    }
  })
}
