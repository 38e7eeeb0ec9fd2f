// Child processes for the benchmark: CPU pinning, start with a readiness line, and what the
// kernel says each process tree used (CPU ticks and RSS from /proc).
import { spawn, execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { availableParallelism } from 'node:os'
import { request } from 'node:http'

const TICKS_PER_S = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100
  } catch {
    return 100
  }
})()

function hasTaskset() {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/**
 * Which CPUs the measured process, the load generator and the upstream get. On 2 cores the
 * measured process owns CPU 1 and the load generator shares CPU 0 with the upstream (the
 * upstream is cheap next to any proxy). TARGET_CPUS / LOAD_CPUS / UPSTREAM_CPUS override.
 */
export function cpuPlan() {
  const n = availableParallelism()
  const pin = n >= 2 && hasTaskset() && process.env.NO_PIN !== '1'
  if (!pin) return { pin: false, n, target: undefined, target2: undefined, load: undefined, upstream: undefined }
  const rest = n >= 3 ? `2-${n - 1}` : '0'
  return {
    pin: true,
    n,
    target: process.env.TARGET_CPUS ?? '1',
    // Two workers need two cores; on a 2-core machine they share with the load generator.
    target2: process.env.TARGET2_CPUS ?? (n >= 4 ? '1-2' : '0-1'),
    load: process.env.LOAD_CPUS ?? '0',
    upstream: process.env.UPSTREAM_CPUS ?? rest,
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

/** Keeps the last `max` characters of a stream, for error messages. */
function tail(stream, max = 4000) {
  const t = { text: '' }
  stream.setEncoding('utf8')
  stream.on('data', (s) => {
    t.text = (t.text + s).slice(-max)
  })
  return t
}

/**
 * Starts `cmd args` pinned to `cpus` (a taskset list) when given. stdout and stderr are drained
 * (a full pipe would stall the child) keeping a tail for diagnostics.
 */
export function startProcess({ cmd, args = [], env = {}, cpus, cwd }) {
  const [file, argv] = cpus ? ['taskset', ['-c', cpus, cmd, ...args]] : [cmd, args]
  const child = spawn(file, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const out = tail(child.stdout)
  const err = tail(child.stderr)
  let exited
  const exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exited = { code, signal }))))
  return {
    child,
    get pid() {
      return child.pid
    },
    exit,
    get exited() {
      return exited
    },
    output: () => `${out.text}\n${err.text}`.trim(),
    stdoutTail: () => out.text,
    async stop() {
      if (exited) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
      await exit
      clearTimeout(timer)
    },
  }
}

/** Resolves with the port from the child's `{"port":N}` stdout line. */
export function waitForPortLine(proc, timeoutMs = 15_000) {
  return new Promise((resolve, reject) => {
    let buf = ''
    const timer = setTimeout(() => reject(new Error(`no {"port":N} line within ${timeoutMs} ms: ${proc.output()}`)), timeoutMs)
    proc.child.stdout.on('data', (s) => {
      buf += s
      const m = /\{"port":(\d+)\}/.exec(buf)
      if (m) {
        clearTimeout(timer)
        resolve(Number(m[1]))
      }
    })
    proc.exit.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`exited (${code ?? signal}) before listening: ${proc.output()}`))
    })
  })
}

function getStatus(url, headers) {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: 2000, headers }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode))
    })
    req.on('error', () => resolve(0))
    req.on('timeout', () => req.destroy())
    req.end()
  })
}

function tcpOpen(port) {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy()
      resolve(true)
    })
    s.on('error', () => resolve(false))
  })
}

/**
 * Polls `url` (with the benchmark's request `headers`) until it answers 200, proving the whole
 * proxy path works, or the child exits, or the deadline passes. Throws with the last status and the child's output tail.
 */
export async function waitReady(url, proc, timeoutMs = 20_000, headers = {}) {
  const port = Number(new URL(url).port)
  const deadline = Date.now() + timeoutMs
  let last = 'no answer'
  while (Date.now() < deadline) {
    if (proc?.exited) throw new Error(`exited (${proc.exited.code ?? proc.exited.signal}) before serving: ${proc.output()}`)
    if (await tcpOpen(port)) {
      const status = await getStatus(url, headers)
      if (status === 200) return
      last = status === 0 ? 'connection error' : `status ${status}`
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms (${last}): ${proc?.output() ?? ''}`)
}

/** The pid and all its descendants (node:cluster workers, nginx workers). */
export function processTree(pid) {
  const parent = new Map()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      parent.set(Number(name), Number(fields[1]))
    } catch {
      // the process went away while we looked
    }
  }
  const tree = [pid]
  for (let i = 0; i < tree.length; i++) for (const [child, ppid] of parent) if (ppid === tree[i]) tree.push(child)
  return tree
}

/** User+system CPU seconds used so far by the process tree of `pid`. */
export function cpuSeconds(pid) {
  let ticks = 0
  for (const p of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      // fields[11] = utime, fields[12] = stime (fields 14 and 15 of proc(5), counted from 1)
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // gone
    }
  }
  return ticks / TICKS_PER_S
}

/** Resident set size in bytes of the process tree of `pid`. */
export function rssBytes(pid) {
  let kb = 0
  for (const p of processTree(pid)) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))
      if (m) kb += Number(m[1])
    } catch {
      // gone
    }
  }
  return kb * 1024
}

/** Expands a taskset list like "1" or "0-1,3" into cpu numbers. */
function cpuNumbers(list) {
  const out = []
  for (const part of list.split(',')) {
    const [a, b] = part.split('-').map(Number)
    for (let c = a; c <= (b ?? a); c++) out.push(c)
  }
  return out
}

/**
 * Busy CPU seconds (everything but idle and iowait) of the given CPUs since boot, from
 * /proc/stat. Minus what our process used, it tells how much other work (other processes on a
 * shared machine) ran on the measured CPU during a round.
 */
export function cpuBusySeconds(list) {
  if (!list) return NaN
  const wanted = new Set(cpuNumbers(list).map((c) => `cpu${c}`))
  let ticks = 0
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const f = line.split(' ')
    if (!wanted.has(f[0])) continue
    const [user, nice, system, , , irq, softirq, steal] = f.slice(1).map(Number)
    ticks += user + nice + system + irq + softirq + steal
  }
  return ticks / TICKS_PER_S
}
