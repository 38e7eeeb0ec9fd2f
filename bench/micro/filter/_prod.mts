import { pino } from 'pino'
import { Registry } from 'prom-client'
import { HeaderMap } from '/work/main/host/filter/header-map.ts'
import { createFilterRuntime } from '/work/main/host/filter/runtime.ts'
import { productionFilters } from '/work/main/bench/scenarios/production-filters.mjs'
const which = process.argv[2] ?? 'prod'
const filters: any[] = which === 'prod' ? productionFilters().filters : [{ name: which, source: `/work/main/filters/${which}/build/${which}.wasm`, config: {} }]
const runtime = await createFilterRuntime(filters.map((f) => ({ failurePolicy: 'closed', pullPolicy: 'IfNotPresent', env: {}, ...f })),
  { logger: pino({ level: 'warn' }), metrics: new Registry(), baseDir: '/', httpCalls: { hasCluster: () => false, call: () => () => {} } })
const chain = runtime.chainFor(filters.map((f) => f.name))
let status = 0
const sink: any = { sendRequestHeaders() {}, sendResponseHeaders(h: any) { status = Number(h.get(':status')) }, sendResponseData() {}, sendLocalReply(s: number) { status = s }, failStream(c: string) { throw new Error(c) } }
const body = Buffer.from('{"ok":true}')
function one(i: number) {
  const info: any = { requestId: 'r' + i, connectionId: 1, startTimeMs: Date.now(), protocol: 'HTTP/1.1', sourceAddress: '10.0.0.' + (i % 200), sourcePort: 1000, destinationAddress: '127.0.0.1', destinationPort: 8080, isTls: false, routeName: 'r', clusterName: 'c', responseCode: 0, requestBodyBytes: 0, responseBodyBytes: 0 }
  const s = chain.createStream(info, sink)
  s.decodeHeaders(new HeaderMap([':method', 'GET', ':path', '/v1/items', ':authority', 'api.example.com', ':scheme', 'http', 'user-agent', 'wrk', 'authorization', 'Bearer bench-token', 'x-forwarded-for', '10.0.0.1', 'x-request-id', 'r' + i]), true)
  info.responseCode = 200
  s.encodeHeaders(new HeaderMap([':status', '200', 'content-type', 'application/json', 'content-length', '11']), false)
  s.encodeData(body, true)
  s.destroy()
}
for (let i = 0; i < 2000; i++) one(i)
console.log('status', status)
for (let r = 0; r < 3; r++) {
  const u0 = process.cpuUsage()
  const N = 20000
  for (let i = 0; i < N; i++) one(i)
  const u1 = process.cpuUsage(u0)
  console.log(which, 'cpu µs/req', ((u1.user + u1.system) / N).toFixed(2))
}
await runtime.close()
