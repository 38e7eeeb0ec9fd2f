/**
 * Requests in flight during a swap finish on the instance they started with: a request paused
 * on an http callout completes on its old instance after the new one serves everybody else; the
 * old instance retires (root on_done) only when that request ends, and its ticks stop then.
 */
import { describe, expect, it } from 'vitest'
import { deferred, waitFor } from '../helpers/wait.ts'
import { startGateway, type LogRecord } from '../helpers/gateway.ts'
import { echo, startUpstream } from '../helpers/upstream.ts'
import { VERSION_WASM, putFilter, salted, versionWasm, versioned } from './reload-support.ts'

const msg = (r: LogRecord) => (typeof r.msg === 'string' ? r.msg : '')

describe('in-flight requests keep their instance', () => {
  it('a request paused on an http call during a switch completes on its old instance', async () => {
    const release = deferred()
    let callouts = 0
    const calloutUpstream = await startUpstream(async (_req, res) => {
      callouts++
      await release.promise
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
    })
    const upstream = await startUpstream(echo)
    const gw = await startGateway({
      clusters: [
        { name: 'echo', endpoints: [upstream.url] },
        { name: 'callout', endpoints: [calloutUpstream.url] },
      ],
      filters: [{ name: 'ver', source: VERSION_WASM, config: { version: 'A', cluster: 'callout', tickMs: 10 } }],
      routes: [{ match: { prefix: '/' }, cluster: 'echo', filters: ['ver'] }],
    })
    const paused = versioned(gw.url, { 'x-callout': '1' })
    await waitFor(() => callouts === 1, 'the filter to call out')
    await gw.waitForLog((r) => msg(r) === 'tick A')

    const put = await putFilter(gw.adminUrl, 'ver', salted(versionWasm(), 'B'), `?config=${encodeURIComponent(JSON.stringify({ version: 'B', cluster: 'callout', tickMs: 10 }))}`)
    expect(put).toMatchObject({ status: 200, body: { generation: 2 } })
    // New requests run on B while A still holds the paused one.
    expect(await versioned(gw.url)).toMatchObject({ status: 200, responseVersion: 'B', requestVersion: 'B' })
    expect(gw.logs.some((r) => msg(r) === 'root done A')).toBe(false)

    release.resolve()
    const answer = await paused
    expect(answer).toMatchObject({ status: 200, responseVersion: 'A', requestVersion: 'A' })
    expect(answer.headers['x-callout-version']).toBeUndefined() // set on the request, not the response
    // The old instance retires once its last request ended...
    const done = await gw.waitForLog((r) => msg(r) === 'root done A')
    // ...and its ticks stop: B keeps ticking, A never again.
    const doneAt = gw.logs.indexOf(done)
    await waitFor(() => gw.logs.slice(doneAt).filter((r) => msg(r) === 'tick B').length >= 3, 'three ticks of B after A retired')
    expect(gw.logs.slice(doneAt + 1).some((r) => msg(r) === 'tick A')).toBe(false)
  })

  it('the callout header written by the old instance reaches the upstream', async () => {
    const release = deferred()
    let callouts = 0
    const calloutUpstream = await startUpstream(async (_req, res) => {
      callouts++
      await release.promise
      res.writeHead(200).end('ok')
    })
    let seenCalloutVersion: unknown
    const upstream = await startUpstream((req, res, body) => {
      seenCalloutVersion ??= req.headers['x-callout-version']
      echo(req, res, body)
    })
    const gw = await startGateway({
      clusters: [
        { name: 'echo', endpoints: [upstream.url] },
        { name: 'callout', endpoints: [calloutUpstream.url] },
      ],
      filters: [{ name: 'ver', source: VERSION_WASM, config: { version: 'A', cluster: 'callout' } }],
      routes: [{ match: { prefix: '/' }, cluster: 'echo', filters: ['ver'] }],
    })
    const paused = versioned(gw.url, { 'x-callout': '1' })
    await waitFor(() => callouts === 1, 'the filter to call out')
    expect((await putFilter(gw.adminUrl, 'ver', { source: VERSION_WASM, config: { version: 'B', cluster: 'callout' } })).status).toBe(200)
    release.resolve()
    expect(await paused).toMatchObject({ status: 200, responseVersion: 'A', requestVersion: 'A' })
    expect(seenCalloutVersion).toBe('A')
  })
})
