// One request through a FilterStream with the no-op filter (bench/filters/noop) and a synthetic
// sink: the host-side cost of a filter chain per request, without sockets. Run:
// npx tsx bench/micro/filter/chain.bench.ts
import { readFileSync } from 'node:fs'
import { bench, do_not_optimize, run } from 'mitata'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import type { StreamInfo, StreamSink } from '../../../host/filter/contract.ts'
import { HeaderMap } from '../../../host/filter/header-map.ts'
import { createFilterRuntime } from '../../../host/filter/runtime.ts'

const wasm = new URL('../../filters/noop/build/noop.wasm', import.meta.url).pathname
readFileSync(wasm)
const runtime = await createFilterRuntime(
  [{ name: 'noop', source: wasm, failurePolicy: 'closed', pullPolicy: 'IfNotPresent', env: {} }],
  { logger: pino({ level: 'warn' }), metrics: new Registry(), baseDir: '/', httpCalls: { hasCluster: () => false, call: () => () => {} } },
)
const chain1 = runtime.chainFor(['noop'])

let sent = 0
const sink: StreamSink = {
  sendRequestHeaders: () => void sent++,
  sendRequestData: () => {},
  sendRequestTrailers: () => {},
  sendResponseHeaders: () => void sent++,
  sendResponseData: () => void sent++,
  sendResponseTrailers: () => {},
  sendLocalReply: () => {},
  failStream: () => {},
  resetStream: () => {},
  pauseRequestReading: () => {},
  resumeRequestReading: () => {},
}
const info: StreamInfo = {
  requestId: 'r', connectionId: 1, startTimeMs: 0, protocol: 'HTTP/1.1', sourceAddress: '127.0.0.1', sourcePort: 1,
  destinationAddress: '127.0.0.1', destinationPort: 2, isTls: false, tlsVersion: undefined, requestedServerName: undefined,
  routeName: 'r', clusterName: 'c', responseCode: 0, requestBodyBytes: 0, responseBodyBytes: 0, upstreamAddress: undefined,
}
const body = Buffer.from('{"ok":true}')

bench('one request, one no-op filter (create, headers both ways, body, destroy)', () => {
  const s = chain1.createStream(info, sink)
  s.decodeHeaders(new HeaderMap([':method', 'GET', ':path', '/', ':authority', 'x', ':scheme', 'http']), true)
  s.encodeHeaders(new HeaderMap([':status', '200', 'content-length', '11']), false)
  s.encodeData(body, true)
  s.destroy()
  do_not_optimize(s)
})

await run()
await runtime.close()
