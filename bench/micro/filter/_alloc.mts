import { pino } from 'pino'
import { Registry } from 'prom-client'
import { HeaderMap } from '/work/main/host/filter/header-map.ts'
import { createFilterRuntime } from '/work/main/host/filter/runtime.ts'
const wasm = '/work/main/bench/filters/noop/build/noop.wasm'
const runtime = await createFilterRuntime([{ name: 'noop', source: wasm, failurePolicy: 'closed', pullPolicy: 'IfNotPresent', env: {} } as any],
  { logger: pino({ level: 'warn' }), metrics: new Registry(), baseDir: '/', httpCalls: { hasCluster: () => false, call: () => () => {} } })
const chain1 = runtime.chainFor(['noop'])
const sink: any = { sendRequestHeaders() {}, sendResponseHeaders() {}, sendResponseData() {} }
const info: any = { requestId: 'r', startTimeMs: 0 }
const body = Buffer.from('{"ok":true}')
const rq = new HeaderMap([':method', 'GET', ':path', '/', ':authority', 'x', ':scheme', 'http'])
const rs = new HeaderMap([':status', '200', 'content-length', '11'])
const steps = Number(process.argv[2] ?? 4)
function one() {
  const s = chain1.createStream(info, sink)
  if (steps >= 1) s.decodeHeaders(rq, true)
  if (steps >= 2) s.encodeHeaders(rs, false)
  if (steps >= 3) s.encodeData(body, true)
  s.destroy()
}
for (let i = 0; i < 20000; i++) one()
const g = (globalThis as any).gc
for (let r = 0; r < 3; r++) {
  g(); const m0 = process.memoryUsage().heapUsed
  for (let i = 0; i < 5000; i++) one()
  const m1 = process.memoryUsage().heapUsed
  console.log('steps', steps, 'bytes/req', ((m1 - m0) / 5000).toFixed(0))
}
