import { pino } from 'pino'
import { Registry } from 'prom-client'
import { HeaderMap } from '/work/main/host/filter/header-map.ts'
import { createFilterRuntime } from '/work/main/host/filter/runtime.ts'
const wasm = '/work/main/bench/filters/noop/build/noop.wasm'
const runtime = await createFilterRuntime([{ name: 'noop', source: wasm, failurePolicy: 'closed', pullPolicy: 'IfNotPresent', env: {} } as any],
  { logger: pino({ level: 'warn' }), metrics: new Registry(), baseDir: '/', httpCalls: { hasCluster: () => false, call: () => () => {} } })
const chain1 = runtime.chainFor(['noop'])
const sink: any = new Proxy({}, { get: () => () => {} })
const info: any = { requestId: 'r', startTimeMs: 0 }
const body = Buffer.from('{"ok":true}')
function one() {
  const s = chain1.createStream(info, sink)
  s.decodeHeaders(new HeaderMap([':method', 'GET', ':path', '/', ':authority', 'x', ':scheme', 'http']), true)
  s.encodeHeaders(new HeaderMap([':status', '200', 'content-length', '11']), false)
  s.encodeData(body, true)
  s.destroy()
}
for (let r = 0; r < 5; r++) {
  const t0 = process.hrtime.bigint(); const u0 = process.cpuUsage()
  for (let i = 0; i < 200000; i++) one()
  const t1 = process.hrtime.bigint(); const u1 = process.cpuUsage(u0)
  console.log('heapMB', (process.memoryUsage().heapUsed/1e6).toFixed(1), 'ns/req wall', Number(t1 - t0) / 200000, 'cpu µs/req', (u1.user + u1.system) / 200000)
}
await runtime.close()
