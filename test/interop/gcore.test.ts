// Interop: a filter built with @gcoredev/proxy-wasm-sdk-as 1.2.3 and AssemblyScript 0.28.9 +
// @assemblyscript/wasi-shim (ABI 0.2.1, `_start`, logging and environment through WASI). It must
// behave in wasmgate as its source promises.
import { beforeAll, describe, expect, it } from 'vitest'
import { startHostcalls, send, waitLine, promText, eventually } from '../conformance/support/hostcalls.ts'
import { buildInterop } from './build-interop.ts'

let wasm: string
// The first run also installs the SDK and its compiler (npm ci) before compiling.
beforeAll(async () => {
  wasm = await buildInterop('gcore', ['--target', 'release', '-o'])
}, 180_000)

function startGcore(config?: string) {
  return startHostcalls({ name: 'gcore', source: wasm, rootId: 'gcore_interop', env: { GREETING: 'hi-from-env' }, ...(config === undefined ? {} : { config }) })
}

describe('@gcoredev/proxy-wasm-sdk-as 1.2.3', () => {
  it('hello world: "hello: world!" without configuration, the configuration when set', async () => {
    const { gw } = await startGcore()
    expect((await send(gw)).header('hello')).toBe('world!')
    const configured = await startGcore('configured value')
    expect((await send(configured.gw)).header('hello')).toBe('configured value')
  })

  it('adds request headers the upstream sees, one from a WASI environment variable', async () => {
    const { gw } = await startGcore()
    const res = await send(gw, { path: '/some/where' })
    expect(res.status).toBe(200)
    const echo = res.json()
    expect(echo.headers['x-gcore-path']).toBe('/some/where')
    expect(echo.headers['x-gcore-env']).toBe('hi-from-env')
  })

  it('ticks from the root context and keeps a counter in shared data (CAS)', async () => {
    const { gw } = await startGcore()
    const ticks = await eventually(async () => {
      const n = Number((await send(gw)).json().headers['x-gcore-ticks'])
      return n >= 3 ? n : undefined
    }, 'three ticks counted in shared data')
    expect(ticks).toBeGreaterThanOrEqual(3)
  })

  it('logs through WASI stdout', async () => {
    const { gw } = await startGcore()
    await send(gw, { path: '/logged' })
    await waitLine(gw, 'gcore interop saw /logged')
  })

  it('answers with a local reply without calling the upstream', async () => {
    const { gw, upstream } = await startGcore()
    const res = await send(gw, { path: '/gcore-deny' })
    expect(res.status).toBe(403)
    expect(res.text).toBe('denied by gcore filter')
    expect(res.header('x-gcore-denied')).toBe('yes')
    expect(upstream.requests).toBe(0)
  })

  it('rewrites a buffered request body', async () => {
    const { gw } = await startGcore()
    const res = await send(gw, { method: 'POST', body: 'payload' })
    expect(res.json().body).toBe('gcore:payload')
  })

  it('makes an http call from the root context and resumes the request in its callback', async () => {
    const { gw, upstream } = await startGcore()
    const res = await send(gw, { path: '/gcore-callout' })
    expect(res.status).toBe(200)
    expect(res.json().headers['x-gcore-callout-status']).toBe('200')
    expect(upstream.requests).toBe(2)
  })

  it('defines and increments a counter shown on /stats/prometheus', async () => {
    const { gw } = await startGcore()
    for (let i = 0; i < 2; i++) expect((await send(gw)).status).toBe(200)
    expect(await promText(gw)).toMatch(/gcore_interop_requests\S*\s+2(\s|$)/m)
  })
})
