// filters/rate-limit/config.schema.json says what the filter accepts: every configuration the
// filter refuses, the schema refuses too (except what JSON Schema cannot express), and the
// README's example passes both. ajv comes with fastify (a dev dependency).
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { parse } from 'yaml'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { compileFilterDir } from '../../../scripts/build-wasm.mjs'
import { loadFilter, type TestFilter } from '../../../host/testing.ts'
import { BAD_CONFIGS } from './rate-limit-configs.ts'

const dir = new URL('../../../filters/rate-limit/', import.meta.url).pathname
const schema = JSON.parse(readFileSync(`${dir}config.schema.json`, 'utf8')) as object
const validate = new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile(schema)
// Unique rule names (values across array items) and burst against the rate (arithmetic).
const NOT_EXPRESSIBLE = new Set(['duplicate rule name', 'burst too large for the rate'])

let wasm = ''
let filter: TestFilter | undefined
beforeAll(async () => {
  wasm = (await compileFilterDir(dir)).outFile
}, 120_000)
afterEach(async () => {
  await filter?.close()
  filter = undefined
})

function readmeExample(): unknown {
  const readme = readFileSync(`${dir}README.md`, 'utf8')
  const yaml = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1]
  if (yaml === undefined) throw new Error('README.md has no yaml example')
  const doc = parse(yaml) as { filters: Array<{ name: string; config: unknown }> }
  return doc.filters.find((f) => f.name === 'rate-limit')?.config
}

describe('rate-limit config schema', () => {
  it.each(BAD_CONFIGS.filter(([what]) => !NOT_EXPRESSIBLE.has(what)))('refuses %s', (_what, config) => {
    expect(validate(config)).toBe(false)
  })

  it('accepts the README example, and so does the filter', async () => {
    const config = readmeExample()
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true)
    filter = await loadFilter(wasm, { name: 'rate-limit', config })
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
