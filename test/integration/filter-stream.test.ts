// The filter layer without sockets: a FilterStream driven directly with a recording StreamSink
// (what wasmgate/testing builds on). Real module (asc-built fixture), real runtime, no server.
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { describe, expect, it, onTestFinished } from 'vitest'
import type { StreamInfo, StreamSink } from '../../host/filter/contract.ts'
import { HeaderMap } from '../../host/filter/header-map.ts'
import { createFilterRuntime } from '../../host/filter/runtime.ts'
import { buildAbiHostFixture } from './filter-support.ts'

type Event = [string, ...unknown[]]

function recordingSink(): { sink: StreamSink; events: Event[]; waitFor(kind: string): Promise<Event> } {
  const events: Event[] = []
  const waiters: Array<{ kind: string; resolve: (e: Event) => void }> = []
  const push = (e: Event) => {
    events.push(e)
    for (const w of waiters.splice(0)) {
      if (w.kind === e[0]) w.resolve(e)
      else waiters.push(w)
    }
  }
  const sink: StreamSink = {
    sendRequestHeaders: (h, eos) => push(['reqHeaders', h.flat.slice(), eos]),
    sendRequestData: (c, eos) => push(['reqData', Buffer.from(c).toString(), eos]),
    sendRequestTrailers: () => push(['reqTrailers']),
    sendResponseHeaders: (h, eos) => push(['respHeaders', h.flat.slice(), eos]),
    sendResponseData: (c, eos) => push(['respData', Buffer.from(c).toString(), eos]),
    sendResponseTrailers: () => push(['respTrailers']),
    sendLocalReply: (status, headers, body) => push(['localReply', status, headers, typeof body === 'string' ? body : Buffer.from(body).toString()]),
    failStream: (code) => push(['fail', code]),
    resetStream: () => push(['reset']),
    pauseRequestReading: () => push(['pause']),
    resumeRequestReading: () => push(['resume']),
  }
  return {
    sink,
    events,
    waitFor: (kind) => {
      const found = events.find((e) => e[0] === kind)
      return found ? Promise.resolve(found) : new Promise((resolve) => waiters.push({ kind, resolve }))
    },
  }
}

const info = (): StreamInfo => ({
  requestId: 'test-1', connectionId: 1, startTimeMs: Date.now(), startMonotonicMs: performance.now(), protocol: 'HTTP/1.1', sourceAddress: '127.0.0.1', sourcePort: 5000,
  destinationAddress: '127.0.0.1', destinationPort: 8080, isTls: false, tlsVersion: undefined, requestedServerName: undefined,
  routeName: 'r', clusterName: 'c', responseCode: 0, requestBodyBytes: 0, responseBodyBytes: 0, upstreamAddress: undefined,
})

async function runtimeWith(filters: Array<{ name: string; config: string }>) {
  const source = await buildAbiHostFixture('chain-filter')
  const runtime = await createFilterRuntime(
    filters.map((f) => ({ name: f.name, source, config: f.config, failurePolicy: 'closed' as const, pullPolicy: 'IfNotPresent' as const, env: {} })),
    { logger: pino({ level: 'silent' }), metrics: new Registry(), baseDir: '/', httpCalls: { hasCluster: () => false, call: () => () => {} } },
  )
  onTestFinished(() => runtime.close())
  return runtime.chainFor(filters.map((f) => f.name))
}

describe('FilterStream without sockets', () => {
  it('holds a request paused on headers, queues its body, and after the async resume gives the body to the same filter first', async () => {
    const chain = await runtimeWith([
      { name: 'a', config: 'name=a;pause' },
      { name: 'b', config: 'name=b;upper' },
    ])
    const { sink, events, waitFor } = recordingSink()
    const s = chain.createStream(info(), sink)
    expect(s.wantsRequestBody).toBe(true)
    s.decodeHeaders(new HeaderMap([':method', 'POST', ':path', '/', ':authority', 'x', ':scheme', 'http', 'content-length', '6']), false)
    s.decodeData(Buffer.from('abc'), false)
    s.decodeData(Buffer.from('def'), true)
    expect(events).toEqual([]) // a paused; nothing went out
    const [, flat] = await waitFor('reqHeaders')
    const headers = new HeaderMap(flat as string[])
    expect(headers.getAll('x-order')).toEqual(['a', 'b'])
    expect(headers.get('content-length')).toBe('7')
    expect(events.filter((e) => e[0] === 'reqData')).toEqual([['reqData', 'ABCDEF!', true]])
    s.encodeHeaders(new HeaderMap([':status', '200', 'content-length', '2']), false)
    s.encodeData(Buffer.from('ok'), true)
    const resp = events.find((e) => e[0] === 'respHeaders') as Event
    expect(new HeaderMap(resp[1] as string[]).getAll('x-resp-order')).toEqual(['b', 'a'])
    expect(events.at(-1)).toEqual(['respData', 'ok', true])
    s.destroy()
    s.destroy() // idempotent
  })

  it('a request destroyed while paused (client went away) ends cleanly and the next stream works', async () => {
    const chain = await runtimeWith([{ name: 'p', config: 'name=p;pause' }])
    const first = recordingSink()
    const s1 = chain.createStream(info(), first.sink)
    s1.decodeHeaders(new HeaderMap([':method', 'GET', ':path', '/', ':authority', 'x', ':scheme', 'http']), true)
    s1.destroy() // aborted before the queue resumed it
    const second = recordingSink()
    const s2 = chain.createStream(info(), second.sink)
    s2.decodeHeaders(new HeaderMap([':method', 'GET', ':path', '/', ':authority', 'x', ':scheme', 'http']), true)
    await second.waitFor('reqHeaders')
    expect(first.events).toEqual([])
    s2.destroy()
  })

  it("a local reply from the second filter passes through the first filter's response callback only", async () => {
    const chain = await runtimeWith([
      { name: 'a', config: 'name=a' },
      { name: 'r', config: 'name=r;reply' },
    ])
    const { sink, events } = recordingSink()
    const s = chain.createStream(info(), sink)
    s.decodeHeaders(new HeaderMap([':method', 'GET', ':path', '/', ':authority', 'x', ':scheme', 'http']), true)
    expect(events.length).toBe(1)
    const [kind, status, headers, body] = events[0] as [string, number, Array<[string, string]>, string]
    expect([kind, status, body]).toEqual(['localReply', 401, 'denied by r'])
    expect(headers).toContainEqual(['x-resp-order', 'a'])
    expect(headers).toContainEqual(['x-replied-by', 'r'])
    s.destroy()
  })
})
