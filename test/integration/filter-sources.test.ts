import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFileSync } from 'node:fs'
import { describe, expect, it, onTestFinished } from 'vitest'
import { isWasmgateError } from '../../host/errors.ts'
import { loadModuleSource } from '../../host/vm/module-source.ts'
import { sha256Hex } from '../../host/vm/module-cache.ts'
import { buildAbiHostFixture } from './filter-support.ts'

async function serveBytes(bytes: Uint8Array): Promise<string> {
  const server = createServer((req, res) => {
    if (req.url !== '/filter.wasm') return res.writeHead(404).end()
    res.writeHead(200, { 'content-type': 'application/wasm' }).end(bytes)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  onTestFinished(() => new Promise<void>((r) => server.close(() => r())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    if (isWasmgateError(err)) return err.code
    throw err
  }
  return 'no error'
}

describe('module sources', () => {
  it('loads a module over the network only with a matching sha256 (the config allows only https:// for that)', async () => {
    const path = await buildAbiHostFixture('chain-filter')
    const bytes = readFileSync(path)
    const base = await serveBytes(bytes)
    const sha256 = sha256Hex(bytes)
    const loaded = await loadModuleSource(`${base}/filter.wasm`, { baseDir: '/', sha256: `sha256:${sha256}` })
    expect(loaded.sha256).toBe(sha256)
    expect(await codeOf(loadModuleSource(`${base}/filter.wasm`, { baseDir: '/' }))).toBe('WG_ERR_WASM_SOURCE')
    expect(await codeOf(loadModuleSource(`${base}/filter.wasm`, { baseDir: '/', sha256: '0'.repeat(64) }))).toBe('WG_ERR_WASM_SHA256_MISMATCH')
    expect(await codeOf(loadModuleSource(`${base}/missing.wasm`, { baseDir: '/', sha256 }))).toBe('WG_ERR_WASM_SOURCE')

  })

  it('resolves a relative path against baseDir and names a missing file', async () => {
    const path = await buildAbiHostFixture('chain-filter')
    const dir = path.slice(0, path.lastIndexOf('/'))
    const loaded = await loadModuleSource(path.slice(dir.length + 1), { baseDir: dir })
    expect(loaded.resolved).toBe(path)
    expect(await codeOf(loadModuleSource('nope.wasm', { baseDir: dir }))).toBe('WG_ERR_WASM_SOURCE')
  })
})
