// Interop: a filter built with @solo-io/proxy-runtime 0.1.8 and AssemblyScript 0.14.9 (the
// versions it pins; ABI marker 0.2.0, `wasi_unstable.proc_exit`, `malloc` allocator, root context
// chosen by the plugin_root_id property). It must behave in wasmgate as its source promises.
import { beforeAll, describe, expect, it } from 'vitest'
import { startHostcalls, send, waitLine, promText } from '../conformance/support/hostcalls.ts'
import { buildInterop } from './build-interop.ts'

let wasm: string
// The first run also installs the SDK and its compiler (npm ci) before compiling.
beforeAll(async () => {
  wasm = await buildInterop('solo-io', ['--use', 'abort=abort_proc_exit', '--optimize', '-b'])
}, 180_000)

describe('@solo-io/proxy-runtime 0.1.8', () => {
  it('hello world: adds "hello: <configuration>" to responses and a request header the upstream sees', async () => {
    const { gw } = await startSolo()
    const res = await send(gw, { path: '/anything' })
    expect(res.status).toBe(200)
    expect(res.header('hello')).toBe(CONFIG)
    expect(res.json().headers['x-solo-path']).toBe('/anything')
    await waitLine(gw, 'solo-io interop saw /anything')
  })

  it('answers with a local reply (status, body, extra header) without calling the upstream', async () => {
    const { gw, upstream } = await startSolo()
    const res = await send(gw, { path: '/solo-deny' })
    expect(res.status).toBe(403)
    expect(res.text).toBe('denied by solo-io filter')
    expect(res.header('x-solo-denied')).toBe('yes')
    expect(upstream.requests).toBe(0)
  })

  it('makes an http call from the root context and resumes the request in its callback', async () => {
    const { gw, upstream } = await startSolo()
    const res = await send(gw, { path: '/solo-callout' })
    expect(res.status).toBe(200)
    const echo = res.json()
    expect(echo.headers['x-solo-callout-status']).toBe('200')
    expect(Number(echo.headers['x-solo-callout-headers'])).toBeGreaterThan(0)
    expect(upstream.requests).toBe(2)
  })

  it('defines and increments a counter shown on /stats/prometheus', async () => {
    const { gw } = await startSolo()
    for (let i = 0; i < 3; i++) expect((await send(gw)).status).toBe(200)
    expect(await promText(gw)).toMatch(/solo_interop_requests\S*\s+3(\s|$)/m)
  })
})

// 0.1.8's RootContext.onConfigure passes configuration_size where the size pointer belongs, so the
// SDK decodes the configuration with a stale length: an EMPTY configuration makes it read
// address 0 and trap, in any host. A non-empty one works (the README's example sets one).
const CONFIG = 'what ever you want'

function startSolo() {
  return startHostcalls({ name: 'solo', source: wasm, config: CONFIG, rootId: 'solo_interop' })
}
