// filters/telemetry/config.schema.json agrees with the filter: the README example passes the
// schema and loads; configurations the filter refuses, the schema refuses too.
import { describe, expect, it } from 'vitest'
import { configSchema, readmeExample } from '../../helpers/filter-docs.ts'
import { filterDir, useFilter } from '../../helpers/filter-harness.ts'

const dir = filterDir('telemetry')
const validate = configSchema(dir)
const telemetry = useFilter(dir)

describe('telemetry config schema', () => {
  it('accepts the README example and the empty config, which the filter loads', async () => {
    for (const config of [readmeExample(dir), {}]) {
      expect(validate(config), JSON.stringify(validate.errors)).toBe(true)
      await telemetry.load({ config, clusters: { otel: () => ({ status: 200 }) } })
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
    expect(await telemetry.refusal({ config })).toMatchObject({ code: 'WG_ERR_FILTER_CONFIGURE_FAILED' })
  })
})
