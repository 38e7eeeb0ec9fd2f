/**
 * Memory: 200 reloads in a row (alternating two modules, a new config each time, a request
 * through the filter after each) leave the proxy's heap and RSS within 20% of where they were
 * after a warm-up. The proxy runs in its own process, so the figures are its own.
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, onTestFinished } from 'vitest'
import { startUpstream } from '../helpers/upstream.ts'
import { VERSION_WASM, getJson, putFilter, salted, versionWasm, versioned } from './reload-support.ts'

const CHILD = fileURLToPath(new URL('./reload-memory-child.mjs', import.meta.url))
const RELOADS = 200
// RSS settles only after some 200 reloads (malloc arenas, V8 code space); measured from there it grows ~3% per 200.
const WARMUP = 200

interface Memory {
  readonly rss: number
  readonly heapUsed: number
  readonly external: number
}

async function startChild(config: unknown): Promise<{ url: string; adminUrl: string }> {
  const child = spawn(process.execPath, ['--expose-gc', CHILD, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] })
  onTestFinished(() => {
    child.kill('SIGKILL')
  })
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`gateway process exited ${code}: ${stderr}`)))
    createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line) as { url: string; adminUrl: string }))
  })
}

describe('memory across reloads', () => {
  it(`${RELOADS} reloads keep heap and RSS within 20%`, async () => {
    const upstream = await startUpstream()
    const gw = await startChild({
      clusters: [{ name: 'echo', endpoints: [upstream.url] }],
      filters: [{ name: 'ver', source: VERSION_WASM, config: { version: '0' } }],
      routes: [{ match: { prefix: '/' }, cluster: 'echo', filters: ['ver'] }],
    })
    const modules = [salted(versionWasm(), 'even'), salted(versionWasm(), 'odd')]
    let generation = 0
    const reload = async () => {
      generation++
      const put = await putFilter(gw.adminUrl, 'ver', modules[generation % 2] as Buffer, `?config=${encodeURIComponent(JSON.stringify({ version: String(generation) }))}`)
      expect(put.status, JSON.stringify(put.body)).toBe(200)
      expect(await versioned(gw.url)).toMatchObject({ status: 200, responseVersion: String(generation) })
    }
    const memory = async () => (await getJson(`${gw.adminUrl}/test/memory`)).body as unknown as Memory

    for (let i = 0; i < WARMUP; i++) await reload()
    const before = await memory()
    for (let i = 0; i < RELOADS; i++) await reload()
    const after = await memory()
    const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`
    process.stdout.write(`memory across ${RELOADS} reloads: heap ${mb(before.heapUsed)} -> ${mb(after.heapUsed)}, rss ${mb(before.rss)} -> ${mb(after.rss)}\n`)
    expect(after.heapUsed).toBeLessThanOrEqual(before.heapUsed * 1.2)
    expect(after.rss).toBeLessThanOrEqual(before.rss * 1.2)
  })
})
