// filters/telemetry/config.schema.json agrees with the filter: the README example passes the
// schema and loads; configurations the filter refuses, the schema refuses too.
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { parse } from 'yaml'
import { beforeAll, describe, expect, it } from 'vitest'
import { compileFilterDir } from '../../../scripts/build-wasm.mjs'
import { loadFilter } from '../../../host/testing.ts'

const dir = new URL('../../../filters/telemetry/', import.meta.url).pathname
const schema = JSON.parse(readFileSync(`${dir}config.schema.json`, 'utf8')) as object
const validate = new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile(schema)
let wasm = ''

beforeAll(async () => {
  wasm = (await compileFilterDir(dir)).outFile
}, 120_000)

function readmeExample(): unknown {
  const yaml = /```yaml\n([\s\S]*?)```/.exec(readFileSync(`${dir}README.md`, 'utf8'))?.[1] ?? ''
  return (parse(yaml) as { filters: Array<{ config: unknown }> }).filters[0]?.config
}

describe('telemetry config schema', () => {
  it('accepts the README example and the empty config, which the filter loads', async () => {
    for (const config of [readmeExample(), {}]) {
      expect(validate(config), JSON.stringify(validate.errors)).toBe(true)
      const f = await loadFilter(wasm, { config, clusters: { otel: () => ({ status: 200 }) } })
      await f.close()
    }
  })

  it.each([
    ['an unknown field', { metric: {} }],
    ['an unknown log field', { accessLog: { fields: ['method', 'bogus'] } }],
    ['no log fields', { accessLog: { fields: [] } }],
    ['another log format', { accessLog: { format: 'xml' } }],
    ['a sample ratio above 1', { tracing: { sampleRatio: 2 } }],
    ['a bad metric prefix', { metrics: { prefix: '9x' } }],
    ['export settings without a cluster', { tracing: { flushIntervalMs: 100 } }],
    ['a flush interval below 10 ms', { tracing: { cluster: 'otel', flushIntervalMs: 5 } }],
    ['a relative export path', { tracing: { cluster: 'otel', path: 'v1/traces' } }],
  ])('refuses %s, as the filter does', async (_what, config) => {
    expect(validate(config)).toBe(false)
    await expect(loadFilter(wasm, { config })).rejects.toMatchObject({ code: 'WG_ERR_FILTER_CONFIGURE_FAILED' })
  })
})
