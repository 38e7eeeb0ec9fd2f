// filters/rate-limit/config.schema.json says what the filter accepts: every configuration the
// filter refuses, the schema refuses too (except what JSON Schema cannot express), and the
// README's example passes both. ajv comes with fastify (a dev dependency).
import { describe, expect, it } from 'vitest'
import { configSchema, readmeExample } from '../../helpers/filter-docs.ts'
import { filterDir, useFilter } from '../../helpers/filter-harness.ts'
import { BAD_CONFIGS } from './rate-limit-configs.ts'

const dir = filterDir('rate-limit')
const validate = configSchema(dir)
// Unique rule names (values across array items) and burst against the rate (arithmetic).
const NOT_EXPRESSIBLE = new Set(['duplicate rule name', 'burst too large for the rate'])
const rl = useFilter(dir, { name: 'rate-limit' })

describe('rate-limit config schema', () => {
  it.each(BAD_CONFIGS.filter(([what]) => !NOT_EXPRESSIBLE.has(what)))('refuses %s', (_what, config) => {
    expect(validate(config)).toBe(false)
  })

  it('accepts the README example, and so does the filter', async () => {
    const config = readmeExample(dir, 'rate-limit')
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true)
    const filter = await rl.load({ config })
    expect(filter.filterLogs('info')).toContain('rate-limit: 2 rule(s), mode enforce')
  })

  it('accepts every field at once', () => {
    const config = {
      domain: 'edge', mode: 'dry_run', responseHeaders: false, statusCode: 503,
      rules: [{ name: 'a', match: { path: '/x', prefix: '/', methods: ['GET'] }, key: ['client_address', 'path', 'method', 'host', 'header:x-k'], onMissingKey: 'skip', limits: [{ requests: 1, periodSeconds: 10, burst: 2 }] }],
    }
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true)
  })
})
