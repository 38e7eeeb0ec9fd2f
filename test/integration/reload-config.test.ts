/**
 * Config reload on a running gateway: a new filter and a changed route chain take effect at once,
 * unchanged filters are not reloaded, removed filters retire, and a config that fails validation
 * or a filter canary is refused as a whole while the old config keeps serving. Also the .wasm
 * file watch (reload.watchFilters), SIGHUP and the config file watch of `wasmgate serve`.
 */
import { copyFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { request } from 'undici'
import { isWasmgateError } from '../../host/errors.ts'
import { runCli } from '../helpers/cli-process.ts'
import { startGateway, type LogRecord } from '../helpers/gateway.ts'
import { startUpstream } from '../helpers/upstream.ts'
import { waitFor } from '../helpers/wait.ts'
import { VERSION_WASM, getJson, salted, tempDir, versionWasm, versioned } from './reload-support.ts'

const msg = (r: LogRecord) => (typeof r.msg === 'string' ? r.msg : '')

function baseConfig(upstreamUrl: string) {
  return {
    clusters: [{ name: 'echo', endpoints: [upstreamUrl] }],
    filters: [{ name: 'ver', source: VERSION_WASM, config: { version: 'A' } }],
    routes: [
      { name: 'filtered', match: { prefix: '/f' }, cluster: 'echo', filters: ['ver'] },
      { name: 'plain', match: { prefix: '/' }, cluster: 'echo' },
    ],
  }
}

async function at(url: string, path: string, headers: Record<string, string> = {}) {
  const res = await request(`${url}${path}`, { headers })
  const body = (await res.body.json()) as { headers: Record<string, string>; path: string }
  return { status: res.statusCode, version: res.headers['x-version'], upstreamVersion: body.headers?.['x-version'], path: body.path, headers: res.headers }
}

describe('config reload', () => {
  it('adds a filter and changes a route chain; an unchanged filter keeps its instance', async () => {
    const upstream = await startUpstream()
    const cfg = baseConfig(upstream.url)
    const gw = await startGateway(cfg)
    expect(await at(gw.url, '/plain')).toMatchObject({ status: 200, version: undefined })

    const result = await gw.reloadConfig({
      ...cfg,
      listen: gw.config.listen,
      admin: gw.config.admin,
      filters: [...cfg.filters, { name: 'ver2', source: VERSION_WASM, config: { version: 'X' } }],
      routes: [
        { name: 'filtered', match: { prefix: '/f' }, cluster: 'echo', filters: ['ver'] },
        { name: 'plain', match: { prefix: '/' }, cluster: 'echo', filters: ['ver2'] },
      ],
    })
    expect(result).toMatchObject({ filters: { added: ['ver2'], replaced: [], removed: [] }, routes: 2, needsRestart: [] })
    expect(await at(gw.url, '/plain')).toMatchObject({ status: 200, version: 'X', upstreamVersion: 'X' })
    expect(await at(gw.url, '/f')).toMatchObject({ status: 200, version: 'A', upstreamVersion: 'A' })
    const rows = (await getJson(`${gw.adminUrl}/filters`)).body.filters as Array<{ name: string; generation: number }>
    expect(rows.find((r) => r.name === 'ver')?.generation).toBe(1)
    expect((await getJson(`${gw.adminUrl}/config_dump`)).body).toMatchObject({ filters: [{ name: 'ver' }, { name: 'ver2' }] })
  })

  it('replaces a changed filter, removes one no route uses, adds a cluster and moves a route to it', async () => {
    const upstream = await startUpstream()
    const other = await startUpstream((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ headers: req.headers, path: 'other' }))
    })
    const cfg = baseConfig(upstream.url)
    const gw = await startGateway({ ...cfg, filters: [...cfg.filters, { name: 'spare', source: VERSION_WASM, config: { version: 'S' } }] })
    const result = await gw.reloadConfig({
      ...cfg,
      clusters: [...cfg.clusters, { name: 'other', endpoints: [other.url] }],
      filters: [{ name: 'ver', source: VERSION_WASM, config: { version: 'B' } }],
      routes: [
        { name: 'filtered', match: { prefix: '/f' }, cluster: 'other', filters: ['ver'] },
        { name: 'plain', match: { prefix: '/' }, cluster: 'echo' },
      ],
    })
    expect(result).toMatchObject({ filters: { added: [], replaced: ['ver'], removed: ['spare'] }, clusters: { added: ['other'] } })
    expect(await at(gw.url, '/f')).toMatchObject({ status: 200, version: 'B', upstreamVersion: 'B', path: 'other' })
    await gw.waitForLog((r) => msg(r) === 'root done S')
    expect(((await getJson(`${gw.adminUrl}/filters`)).body.filters as Array<{ name: string }>).map((r) => r.name)).toEqual(['ver'])
  })

  it('refuses an invalid config (schema or references) and keeps the old one', async () => {
    const upstream = await startUpstream()
    const cfg = baseConfig(upstream.url)
    const gw = await startGateway(cfg)
    const bad = { ...cfg, routes: [{ match: { prefix: '/' }, cluster: 'echo', filters: ['nope'] }] }
    const err = await gw.reloadConfig(bad).catch((e: unknown) => e)
    expect(isWasmgateError(err, 'WG_ERR_CONFIG_INVALID')).toBe(true)
    expect(await at(gw.url, '/f')).toMatchObject({ status: 200, version: 'A' })
    expect(await at(gw.url, '/plain')).toMatchObject({ status: 200, version: undefined })
    const text = await (await request(`${gw.adminUrl}/stats/prometheus`)).body.text()
    expect(text).toMatch(/wasmgate_config_reloads_total\{result="refused"\} 1/)
    await gw.waitForLog((r) => r.code === 'WG_ERR_CONFIG_INVALID' && r.level === 'error')
  })

  it('refuses the whole config when one filter canary fails: no route, cluster or other filter changes', async () => {
    const upstream = await startUpstream()
    const cfg = baseConfig(upstream.url)
    const gw = await startGateway(cfg)
    const err = await gw
      .reloadConfig({
        ...cfg,
        filters: [
          { name: 'ver', source: VERSION_WASM, config: { version: 'B' } },
          { name: 'broken', source: VERSION_WASM, config: { cluster: 'no version' } },
        ],
        routes: [{ match: { prefix: '/' }, cluster: 'echo', filters: ['broken'] }],
      })
      .catch((e: unknown) => e)
    expect(isWasmgateError(err, 'WG_ERR_FILTER_CONFIGURE_FAILED')).toBe(true)
    expect(await at(gw.url, '/f')).toMatchObject({ status: 200, version: 'A', upstreamVersion: 'A' })
    expect(await at(gw.url, '/plain')).toMatchObject({ status: 200, version: undefined })
    const rows = (await getJson(`${gw.adminUrl}/filters`)).body.filters as Array<{ name: string; generation: number }>
    expect(rows).toEqual([expect.objectContaining({ name: 'ver', generation: 1 })])
  })

  it('reports listener and admin changes as needing a restart and applies the rest', async () => {
    const upstream = await startUpstream()
    const cfg = baseConfig(upstream.url)
    const gw = await startGateway(cfg)
    const result = await gw.reloadConfig({ ...cfg, listen: { host: '127.0.0.1', port: 1 }, admin: { port: 2 }, filters: [{ name: 'ver', source: VERSION_WASM, config: { version: 'B' } }] })
    expect(result.needsRestart).toEqual(['listen', 'admin'])
    expect(await at(gw.url, '/f')).toMatchObject({ version: 'B' })
    await gw.waitForLog((r) => r.code === 'WG_ERR_CONFIG_RESTART_REQUIRED')
  })

  it('reload.watchFilters: a new .wasm file is loaded; garbage is refused and the old filter serves', async () => {
    const upstream = await startUpstream()
    const dir = tempDir()
    const file = join(dir, 'ver.wasm')
    copyFileSync(VERSION_WASM, file)
    const gw = await startGateway({ ...baseConfig(upstream.url), reload: { watchFilters: true }, filters: [{ name: 'ver', source: file, config: { version: 'A' } }] })
    writeFileSync(file, salted(versionWasm(), 'rebuilt'))
    await waitFor(async () => (await getJson(`${gw.adminUrl}/filters/ver`)).body.generation === 2, 'the watched file to reload')
    expect(await at(gw.url, '/f')).toMatchObject({ status: 200, version: 'A' })
    await gw.waitForLog((r) => r.trigger === 'file' && r.generation === 2)
    writeFileSync(file, 'truncated build')
    await gw.waitForLog((r) => r.trigger === 'file' && r.code === 'WG_ERR_WASM_INVALID')
    expect(await versioned(gw.url.concat('/f'))).toMatchObject({ status: 200, responseVersion: 'A' })
    expect((await getJson(`${gw.adminUrl}/filters/ver`)).body).toMatchObject({ generation: 2, lastError: { code: 'WG_ERR_WASM_INVALID', trigger: 'file' } })
  })
})

describe('wasmgate serve: SIGHUP and reload.watchConfig', () => {
  function writeConfig(file: string, upstreamUrl: string, version: string, watchConfig: boolean): void {
    const cfg = {
      listen: { host: '127.0.0.1', port: 0 },
      admin: { host: '127.0.0.1', port: 0 },
      reload: { watchConfig },
      ...baseConfig(upstreamUrl),
      filters: [{ name: 'ver', source: VERSION_WASM, config: { version } }],
    }
    writeFileSync(file, JSON.stringify(cfg))
  }

  it('SIGHUP reloads the config file; a broken file is refused and the proxy keeps serving', async () => {
    const upstream = await startUpstream()
    const file = join(tempDir(), 'wasmgate.yaml')
    writeConfig(file, upstream.url, 'A', false)
    const cli = runCli(['serve', '--config', file])
    const listening = await cli.waitForRecord((r) => r.msg === 'gateway listening')
    const url = String(listening.url)
    expect(await at(url, '/f')).toMatchObject({ version: 'A' })
    writeConfig(file, upstream.url, 'B', false)
    cli.child.kill('SIGHUP')
    await cli.waitForRecord((r) => r.msg === 'config reloaded')
    expect(await at(url, '/f')).toMatchObject({ version: 'B', upstreamVersion: 'B' })
    writeFileSync(file, 'routes: [ { match: ')
    cli.child.kill('SIGHUP')
    await cli.waitForRecord((r) => r.code === 'WG_ERR_CONFIG_PARSE')
    expect(await at(url, '/f')).toMatchObject({ status: 200, version: 'B' })
    cli.child.kill('SIGTERM')
    expect((await cli.exited()).code).toBe(0)
  })

  it('with --workers 2, SIGHUP to the primary reloads every worker', async () => {
    const upstream = await startUpstream()
    const file = join(tempDir(), 'wasmgate.json')
    writeConfig(file, upstream.url, 'A', false)
    const cli = runCli(['serve', '--config', file, '--workers', '2'])
    await waitFor(() => cli.records.filter((r) => r.msg === 'gateway listening').length === 2, 'two workers listening', 30_000)
    const url = String(cli.records.find((r) => r.msg === 'gateway listening')?.url)
    writeConfig(file, upstream.url, 'B', false)
    cli.child.kill('SIGHUP')
    await waitFor(() => cli.records.filter((r) => r.msg === 'config reloaded').length === 2, 'both workers to reload', 30_000)
    for (let i = 0; i < 6; i++) expect(await at(url, '/f')).toMatchObject({ version: 'B', upstreamVersion: 'B' })
    cli.child.kill('SIGTERM')
    await cli.exited()
  })

  it('reload.watchConfig: saving the file reloads it', async () => {
    const upstream = await startUpstream()
    const file = join(tempDir(), 'wasmgate.json')
    writeConfig(file, upstream.url, 'A', true)
    const cli = runCli(['serve', '--config', file])
    const url = String((await cli.waitForRecord((r) => r.msg === 'gateway listening')).url)
    writeConfig(file, upstream.url, 'W', true)
    await cli.waitForRecord((r) => r.msg === 'config reloaded')
    expect(await at(url, '/f')).toMatchObject({ version: 'W', upstreamVersion: 'W' })
    cli.child.kill('SIGTERM')
    await cli.exited()
  })
})
