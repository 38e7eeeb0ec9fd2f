// One request through a FilterStream with a synthetic sink, no sockets: the host and guest cost
// of a filter chain per request. Run: npx tsx bench/micro/filter/chain.bench.ts
//
// - one no-op filter (bench/filters/noop): the host's floor cost of a chain;
// - the four production filters, configured as in the `wasmgate-4filters` scenario
//   (scenarios/production-filters.mjs), every request taking each filter's full path;
// - the same four as plain TypeScript hooks (peers/ts-hooks-runtime.ts), what Wasm is measured against;
// - the four after sweeping SWEEP_KB (4096) of memory, next to the sweep alone: the difference is
//   the four filters with cold caches, closer to what they cost inside the gateway, where the
//   rest of the request (node:http, undici, the kernel) evicts their code and data in between.
import { readFileSync } from 'node:fs'
import { bench, do_not_optimize, run } from 'mitata'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import type { FilterChain, StreamInfo, StreamSink } from '../../../host/filter/contract.ts'
import { HeaderMap } from '../../../host/filter/header-map.ts'
import { createFilterRuntime } from '../../../host/filter/runtime.ts'
import { createTsHooksRuntime } from '../../peers/ts-hooks-runtime.ts'

const noopWasm = new URL('../../filters/noop/build/noop.wasm', import.meta.url).pathname
readFileSync(noopWasm)
// A computed specifier: the .mjs module has no type declarations.
const scenarioModule = new URL('../../scenarios/production-filters.mjs', import.meta.url).href
const { productionFilters } = (await import(scenarioModule)) as {
  productionFilters(): { filters: Array<{ name: string; source: string; config: unknown }>; missing: string | undefined }
}
const four = productionFilters()
if (four.missing !== undefined) throw new Error(`${four.missing}: run npm run build first`)

const specs = [{ name: 'noop', source: noopWasm, config: undefined }, ...four.filters].map((f) => ({ ...f, failurePolicy: 'closed' as const, pullPolicy: 'IfNotPresent' as const, env: {} }))
const deps = {
  logger: pino({ level: 'warn' }),
  metrics: new Registry(),
  baseDir: '/',
  httpCalls: { hasCluster: () => false, call: () => () => {} },
}
const runtime = await createFilterRuntime(specs, deps)
const noopChain = runtime.chainFor(['noop'])
const fourChain = runtime.chainFor(four.filters.map((f) => f.name))
// The same four as plain TypeScript hooks (the bench's wasmgate-ts4 row), with their own registry.
const tsRuntime = await createTsHooksRuntime(specs.slice(1), { ...deps, metrics: new Registry() })
const tsFourChain = tsRuntime.chainFor(four.filters.map((f) => f.name))

const refuse = (what: string) => (): void => {
  throw new Error(`the bench request was ${what}: check scenarios/production-filters.mjs against the filters' configs`)
}
const sink: StreamSink = {
  sendRequestHeaders: () => {},
  sendRequestData: () => {},
  sendRequestTrailers: () => {},
  sendResponseHeaders: () => {},
  sendResponseData: () => {},
  sendResponseTrailers: () => {},
  sendLocalReply: refuse('answered locally'),
  failStream: refuse('failed'),
  resetStream: refuse('reset'),
  pauseRequestReading: () => {},
  resumeRequestReading: () => {},
}
const info: StreamInfo = {
  requestId: 'r', connectionId: 1, startTimeMs: Date.now(), startMonotonicMs: performance.now(), protocol: 'HTTP/1.1', sourceAddress: '127.0.0.1', sourcePort: 40000,
  destinationAddress: '127.0.0.1', destinationPort: 8080, isTls: false, tlsVersion: undefined, requestedServerName: undefined,
  routeName: 'r', clusterName: 'c', responseCode: 0, requestBodyBytes: 0, responseBodyBytes: 0, upstreamAddress: undefined,
}
// What the gateway hands the chain for a benchmark GET (lib/load.mjs headers plus the proxy's own).
const REQUEST = [
  ':method', 'GET', ':path', '/', ':authority', '127.0.0.1:8080', ':scheme', 'http',
  'authorization', 'Bearer bench-token', 'user-agent', 'wrk', 'x-forwarded-for', '127.0.0.1',
  'x-forwarded-proto', 'http', 'x-request-id', '0f8fad5b-d9cb-469f-a165-70867728950e',
]
const RESPONSE = [':status', '200', 'content-type', 'application/json', 'content-length', '30', 'date', 'Sun, 22 Nov 2026 03:00:00 GMT']
const body = Buffer.from('{"ok":true,"from":"upstream"}\n')

function oneRequest(chain: FilterChain): void {
  info.responseCode = 0
  const s = chain.createStream(info, sink)
  s.decodeHeaders(new HeaderMap(REQUEST.slice()), true)
  info.responseCode = 200
  s.encodeHeaders(new HeaderMap(RESPONSE.slice()), false)
  s.encodeData(body, false)
  s.encodeData(new Uint8Array(0), true)
  s.destroy()
  do_not_optimize(s)
}

const junk = new Uint32Array((Number(process.env.SWEEP_KB ?? 4096) * 1024) / 4)
function sweep(): number {
  let sum = 0
  for (let i = 0; i < junk.length; i += 16) {
    sum += junk[i] as number
    junk[i] = sum
  }
  return sum
}

bench('one request, one no-op filter', () => oneRequest(noopChain))
bench('one request, the four production filters', () => oneRequest(fourChain))
bench('one request, the same four as TypeScript hooks', () => oneRequest(tsFourChain))
bench('memory sweep alone (subtract from the next row)', () => do_not_optimize(sweep()))
bench('memory sweep, then one request through the four filters (cold caches)', () => {
  do_not_optimize(sweep())
  oneRequest(fourChain)
})

await run()
await runtime.close()
await tsRuntime.close()
