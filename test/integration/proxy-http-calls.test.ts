/** The cluster manager's HttpCallDispatcher, as the filter layer receives it (filter callouts). */
import { describe, expect, it } from 'vitest'
import type { HttpCallDispatcher, HttpCallResult } from '../../host/filter/contract.ts'
import { HeaderMap } from '../../host/filter/header-map.ts'
import type { FilterRuntime } from '../../host/filter/runtime.ts'
import { startGateway } from '../helpers/gateway.ts'
import { startUpstream, type EchoBody } from '../helpers/upstream.ts'
import { deferred } from '../helpers/wait.ts'

async function gatewayWithCalls(endpoints: string[], extra: Record<string, unknown> = {}): Promise<HttpCallDispatcher> {
  let calls: HttpCallDispatcher | undefined
  const runtime = async (_f: unknown, deps: { httpCalls: HttpCallDispatcher }): Promise<FilterRuntime> => {
    calls = deps.httpCalls
    return { chainFor: () => ({ filterNames: [], createStream: () => ({}) as never }), close: async () => {} }
  }
  await startGateway({ clusters: [{ name: 'svc', endpoints, ...extra }] }, { filterRuntimeForTesting: runtime })
  if (calls === undefined) throw new Error('the gateway did not pass httpCalls to the filter runtime')
  return calls
}

function call(calls: HttpCallDispatcher, cluster: string, headers: string[], body = '', timeoutMs = 5000): Promise<HttpCallResult> {
  return new Promise((resolve) => {
    let isSync = true
    calls.call(cluster, new HeaderMap(headers), Buffer.from(body), new HeaderMap(), timeoutMs, (r) => {
      expect(isSync).toBe(false)
      resolve(r)
    })
    isSync = false
  })
}

describe('http callouts to clusters', () => {
  it('sends :method :path :authority, headers and body, and collects the response', async () => {
    const up = await startUpstream()
    const calls = await gatewayWithCalls([up.url])
    expect(calls.hasCluster('svc')).toBe(true)
    expect(calls.hasCluster('nope')).toBe(false)
    const r = await call(calls, 'svc', [':method', 'POST', ':path', '/check?x=1', ':authority', 'auth.local', 'x-token', 't1'], 'payload')
    if (!r.ok) throw new Error(`callout failed: ${r.reason}`)
    expect(r.headers.get(':status')).toBe('200')
    const echo = JSON.parse(Buffer.from(r.body).toString()) as EchoBody
    expect(echo).toMatchObject({ method: 'POST', path: '/check?x=1', body: 'payload' })
    expect(echo.headers.host).toBe('auth.local')
    expect(echo.headers['x-token']).toBe('t1')
  })

  it('reports unknown clusters, connect failures and timeouts as reasons', async () => {
    const hold = deferred()
    const hang = await startUpstream(async (_req, res) => {
      await hold.promise
      res.end()
    })
    const calls = await gatewayWithCalls([hang.url])
    expect(await call(calls, 'nope', [':method', 'GET', ':path', '/', ':authority', 'x'])).toEqual({ ok: false, reason: 'connect' })
    expect(await call(calls, 'svc', [':method', 'GET', ':path', '/', ':authority', 'x'], '', 100)).toEqual({ ok: false, reason: 'timeout' })
    hold.resolve()
  })
})
