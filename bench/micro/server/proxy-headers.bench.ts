// The per-request header work of the fast path (host/server/proxy-headers.ts): the request's
// raw headers → the flat list sent upstream, and undici's raw Buffer response headers → the
// flat list for res.writeHead. Run: npx tsx bench/micro/server/proxy-headers.bench.ts
import { bench, do_not_optimize, group, run } from 'mitata'
import { buildRequestHeaders, buildResponseHeaders, type ProxyHeaderOptions } from '../../../host/server/proxy-headers.ts'

// What wrk sends through the benchmark (plus a typical browser-ish set for the second case).
const WRK_RAW = ['Host', '127.0.0.1:8080', 'Authorization', 'Bearer bench-token', 'User-Agent', 'wasmgate-bench']
const BROWSER_RAW = [
  'Host', 'api.example.com', 'User-Agent', 'Mozilla/5.0 (X11; Linux x86_64)', 'Accept', 'application/json',
  'Accept-Encoding', 'gzip, deflate, br', 'Accept-Language', 'en-US,en;q=0.9', 'Authorization', 'Bearer bench-token',
  'Cookie', 'session=abc123; theme=dark', 'Connection', 'keep-alive', 'Referer', 'https://example.com/page',
  'Sec-Fetch-Mode', 'cors',
]
// A node:http upstream's answer: it always adds Connection and Keep-Alive.
const UPSTREAM_RAW = ['Content-Type', 'application/json', 'Content-Length', '30', 'Date', 'Sun, 22 Nov 2026 00:00:00 GMT', 'Connection', 'keep-alive', 'Keep-Alive', 'timeout=120'].map((s) => Buffer.from(s, 'latin1'))
const UPSTREAM_NO_CONN = UPSTREAM_RAW.slice(0, 6)

const on: ProxyHeaderOptions = { xForwarded: true, requestId: true, via: undefined }
const off: ProxyHeaderOptions = { xForwarded: false, requestId: false, via: undefined }

group('request headers → upstream', () => {
  bench('wrk request (3 headers), defaults (x-forwarded-*, x-request-id)', () => do_not_optimize(buildRequestHeaders(WRK_RAW, on, '127.0.0.1', 'http', undefined)))
  bench('wrk request, x-forwarded and request id off', () => do_not_optimize(buildRequestHeaders(WRK_RAW, off, '127.0.0.1', 'http', undefined)))
  bench('browser request (10 headers), defaults', () => do_not_optimize(buildRequestHeaders(BROWSER_RAW, on, '127.0.0.1', 'http', undefined)))
})

group('response headers → client', () => {
  bench('node upstream (5 headers incl. connection: keep-alive)', () => do_not_optimize(buildResponseHeaders(UPSTREAM_RAW, on, 'id')))
  bench('same without connection/keep-alive', () => do_not_optimize(buildResponseHeaders(UPSTREAM_NO_CONN, on, 'id')))
})

await run()
