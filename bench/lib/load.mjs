// The load generator: wrk when installed (C, cheap on a shared core), else autocannon in its own
// process. Both run keep-alive connections and report requests, p50/p99 latency and errors.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const POST_BODY_BYTES = 16 * 1024

/** Sent on every request: the auth filter of the four-filter scenario checks this token. */
export const REQUEST_HEADERS = { Authorization: 'Bearer bench-token', 'User-Agent': 'wasmgate-bench' }

/** The request shapes every scenario is driven with. */
export const WORKLOADS = {
  get: { label: 'GET small', method: 'GET', bodyBytes: 0 },
  post16k: { label: 'POST 16 KB', method: 'POST', bodyBytes: POST_BODY_BYTES },
}

export function hasWrk() {
  try {
    execFileSync('wrk', ['-v'], { stdio: 'ignore' })
    return true
  } catch (err) {
    // wrk -v exits 1 after printing its version
    return err.status === 1
  }
}

let scriptDir
function wrkScript(workload, pipelining) {
  scriptDir ??= mkdtempSync(join(tmpdir(), 'wasmgate-bench-wrk-'))
  const file = join(scriptDir, `${workload.method}-${workload.bodyBytes}-${pipelining}.lua`)
  let setup = `wrk.method = "${workload.method}"\n`
  for (const [name, value] of Object.entries(REQUEST_HEADERS)) setup += `wrk.headers["${name}"] = "${value}"\n`
  if (workload.bodyBytes > 0) {
    setup += `wrk.body = string.rep("a", ${workload.bodyBytes})\nwrk.headers["Content-Type"] = "application/octet-stream"\n`
  }
  // With pipelining, each write carries N requests (wrk counts the responses one by one).
  const pipeline =
    pipelining > 1
      ? `local batch\ninit = function(args)\n  local r = {}\n  for i = 1, ${pipelining} do r[i] = wrk.format() end\n  batch = table.concat(r)\nend\nrequest = function() return batch end\n`
      : ''
  const done = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"durationUs":%d,"errors":%d,"non2xx":%d,"p50Us":%d,"p99Us":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
`
  writeFileSync(file, setup + pipeline + done)
  return file
}

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${out.slice(-2000)}`))))
  })
}

/**
 * Drives `url` for `durationS` seconds. Returns { requests, rps, p50Ms, p99Ms, errors, non2xx }.
 * `rate` > 0 caps the total request rate (autocannon only): every proxy then does the same work
 * per second, and its CPU µs per request compares without the batching a saturated event loop gets.
 * `cpus` pins the generator (taskset list) when given.
 */
export async function runLoad({ tool, url, workload, connections, durationS, pipelining, cpus, rate = 0 }) {
  const pin = (cmd, args) => (cpus ? ['taskset', ['-c', cpus, cmd, ...args]] : [cmd, args])
  if (tool === 'wrk') {
    const threads = cpus ? Math.max(1, cpus.split(',').length) : 1
    const script = wrkScript(workload, pipelining)
    const out = await run(...pin('wrk', ['-t', String(threads), '-c', String(connections), '-d', `${durationS}s`, '-s', script, url]))
    const m = /WRKJSON (\{.*\})/.exec(out)
    if (!m) throw new Error(`wrk printed no summary: ${out.slice(-2000)}`)
    const r = JSON.parse(m[1])
    return {
      requests: r.requests,
      rps: r.requests / (r.durationUs / 1e6),
      p50Ms: r.p50Us / 1000,
      p99Ms: r.p99Us / 1000,
      errors: r.errors,
      non2xx: r.non2xx,
    }
  }
  const driver = new URL('./autocannon-driver.mjs', import.meta.url).pathname
  const spec = JSON.stringify({ url, connections, durationS, pipelining, method: workload.method, bodyBytes: workload.bodyBytes, headers: REQUEST_HEADERS, rate })
  const out = await run(...pin(process.execPath, [driver, spec]))
  const m = /ACJSON (\{.*\})/.exec(out)
  if (!m) throw new Error(`autocannon printed no summary: ${out.slice(-2000)}`)
  return JSON.parse(m[1])
}
