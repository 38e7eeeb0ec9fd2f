// Runs autocannon once in this process (so it can be pinned apart from the proxy) and prints
// `ACJSON {...}` with the same fields as the wrk path of load.mjs.
import autocannon from 'autocannon'

const spec = JSON.parse(process.argv[2])
const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.durationS,
  pipelining: spec.pipelining,
  ...(spec.rate > 0 ? { overallRate: spec.rate } : {}),
  method: spec.method,
  body: spec.bodyBytes > 0 ? Buffer.alloc(spec.bodyBytes, 'a') : undefined,
  headers: spec.bodyBytes > 0 ? { ...spec.headers, 'content-type': 'application/octet-stream' } : spec.headers,
})
const requests = result.requests.total
process.stdout.write(
  'ACJSON ' +
    JSON.stringify({
      requests,
      rps: requests / (result.duration || spec.durationS),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
    }) +
    '\n',
)
