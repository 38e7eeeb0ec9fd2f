/**
 * Every bad replacement is refused with 4xx {code, message}, and the filter that was running
 * keeps serving: same version, same generation, and GET /filters shows the refusal as lastError.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { request } from 'undici'
import { watToWasm } from '../conformance/support/wat.ts'
import { sha256Hex } from '../../host/vm/module-cache.ts'
import { startGateway, type TestGateway } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'
import { VERSION_WASM, getJson, putFilter, tempDir, versionWasm, versioned, writeTemp } from './reload-support.ts'

const WAT = fileURLToPath(new URL('../fixtures/wasm/', import.meta.url))
const wat = (name: string) => watToWasm(readFileSync(`${WAT}${name}.wat`, 'utf8'), `${name}.wat`)

async function gatewayWithVersion(): Promise<TestGateway> {
  const upstream = await startUpstream()
  return startGateway({
    clusters: [{ name: 'echo', endpoints: [upstream.url] }],
    filters: [{ name: 'ver', source: VERSION_WASM, config: { version: 'A' } }],
    routes: [{ match: { prefix: '/' }, cluster: 'echo', filters: ['ver'] }],
  })
}

/** The running filter still answers as version A, generation 1, with `code` as its last error. */
async function expectStillServing(gw: TestGateway, code: string): Promise<void> {
  expect(await versioned(gw.url)).toMatchObject({ status: 200, responseVersion: 'A', requestVersion: 'A' })
  const row = (await getJson(`${gw.adminUrl}/filters/ver`)).body
  expect(row).toMatchObject({ generation: 1, state: 'running', lastError: { code, trigger: 'admin' } })
}

describe('refused replacements leave the running filter serving', () => {
  const moduleCases: Array<[string, () => Promise<Uint8Array> | Uint8Array, string]> = [
    ['bytes that are not Wasm', () => Buffer.from('\0asm but then garbage, not a module'), 'WG_ERR_WASM_INVALID'],
    ['a module with no proxy-wasm ABI marker', () => wat('no-abi-marker'), 'WG_ERR_WASM_ABI_UNSUPPORTED'],
    ['a module importing what the host lacks', () => wat('unknown-import'), 'WG_ERR_WASM_UNKNOWN_IMPORT'],
    ['a module missing its allocator export', () => wat('missing-allocator'), 'WG_ERR_WASM_MISSING_EXPORT'],
    ['a module whose proxy_on_vm_start returns false', () => wat('vm-start-false'), 'WG_ERR_FILTER_START_FAILED'],
    ['a module whose proxy_on_configure returns false', () => wat('configure-false'), 'WG_ERR_FILTER_CONFIGURE_FAILED'],
  ]
  for (const [what, bytes, code] of moduleCases) {
    it(`${what}: 422 ${code}`, async () => {
      const gw = await gatewayWithVersion()
      const put = await putFilter(gw.adminUrl, 'ver', await bytes())
      expect(put.status).toBe(422)
      expect(put.body.code).toBe(code)
      expect(typeof put.body.message).toBe('string')
      await expectStillServing(gw, code)
    })
  }

  it('a config the filter refuses in on_configure (no version): 422 WG_ERR_FILTER_CONFIGURE_FAILED', async () => {
    const gw = await gatewayWithVersion()
    const put = await putFilter(gw.adminUrl, 'ver', { source: VERSION_WASM, config: { cluster: 'x' } })
    expect(put).toMatchObject({ status: 422, body: { code: 'WG_ERR_FILTER_CONFIGURE_FAILED' } })
    await expectStillServing(gw, 'WG_ERR_FILTER_CONFIGURE_FAILED')
  })

  it('a sha256 that does not match the module: 422 WG_ERR_WASM_SHA256_MISMATCH', async () => {
    const gw = await gatewayWithVersion()
    const wrong = sha256Hex(Buffer.from('something else'))
    const put = await putFilter(gw.adminUrl, 'ver', { source: VERSION_WASM, sha256: wrong, config: { version: 'B' } })
    expect(put).toMatchObject({ status: 422, body: { code: 'WG_ERR_WASM_SHA256_MISMATCH' } })
    await expectStillServing(gw, 'WG_ERR_WASM_SHA256_MISMATCH')
    // The right digest is accepted.
    const right = await putFilter(gw.adminUrl, 'ver', { source: VERSION_WASM, sha256: sha256Hex(versionWasm()), config: { version: 'B' } })
    expect(right).toMatchObject({ status: 200, body: { generation: 2, lastError: null } })
  })

  it('a filter definition the schema refuses: 400 WG_ERR_CONFIG_INVALID naming the field', async () => {
    const gw = await gatewayWithVersion()
    const put = await putFilter(gw.adminUrl, 'ver', { source: VERSION_WASM, failurePolicy: 'sometimes' })
    expect(put).toMatchObject({ status: 400, body: { code: 'WG_ERR_CONFIG_INVALID' } })
    expect((put.body.details as string[]).some((d) => d.startsWith('failurePolicy:'))).toBe(true)
    await expectStillServing(gw, 'WG_ERR_CONFIG_INVALID')
  })

  it('a source that cannot be read: 422 WG_ERR_WASM_SOURCE', async () => {
    const gw = await gatewayWithVersion()
    const put = await putFilter(gw.adminUrl, 'ver', { source: `${tempDir()}/missing.wasm` })
    expect(put).toMatchObject({ status: 422, body: { code: 'WG_ERR_WASM_SOURCE' } })
    await expectStillServing(gw, 'WG_ERR_WASM_SOURCE')
  })

  it('bad requests: 400 WG_ERR_ADMIN_BAD_REQUEST (invalid JSON, no source, another name, a text body)', async () => {
    const gw = await gatewayWithVersion()
    const send = async (body: string, type: string) => {
      const res = await request(`${gw.adminUrl}/filters/ver`, { method: 'PUT', headers: { 'content-type': type }, body })
      return { status: res.statusCode, body: (await res.body.json()) as { code: string } }
    }
    for (const [body, type] of [
      ['{not json', 'application/json'],
      ['{"config":{"version":"B"}}', 'application/json'],
      [JSON.stringify({ name: 'other', source: VERSION_WASM }), 'application/json'],
      ['[1,2]', 'application/json'],
      ['hello', 'text/plain'],
    ] as const) {
      expect(await send(body, type), body).toMatchObject({ status: 400, body: { code: 'WG_ERR_ADMIN_BAD_REQUEST' } })
    }
    expect(await versioned(gw.url)).toMatchObject({ responseVersion: 'A', requestVersion: 'A' })
  })

  it('a refused new filter is not added', async () => {
    const gw = await gatewayWithVersion()
    const dir = tempDir()
    const put = await putFilter(gw.adminUrl, 'newbie', { source: writeTemp(dir, 'bad.wasm', 'nope') })
    expect(put).toMatchObject({ status: 422, body: { code: 'WG_ERR_WASM_INVALID' } })
    expect(((await getJson(`${gw.adminUrl}/filters`)).body.filters as unknown[]).length).toBe(1)
  })
})
