// filters/header-rewrite/config.schema.json agrees with the filter: the README example passes the
// schema and loads; configurations the filter refuses for their shape, the schema refuses too
// (regex and template syntax are beyond JSON Schema).
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { parse } from 'yaml'
import { beforeAll, describe, expect, it } from 'vitest'
import { compileFilterDir } from '../../../scripts/build-wasm.mjs'
import { loadFilter } from '../../../host/testing.ts'

const dir = new URL('../../../filters/header-rewrite/', import.meta.url).pathname
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

describe('header-rewrite config schema', () => {
  it('accepts the README example, which the filter loads', async () => {
    const config = readmeExample()
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true)
    const f = await loadFilter(wasm, { config })
    await f.close()
  })

  it.each([
    ['no rules', {}],
    ['an unknown top-level field', { rules: [], extra: 1 }],
    ['an unknown rule field', { rules: [{ when: {} }] }],
    ['two path conditions', { rules: [{ match: { prefix: '/a', path: '/a' } }] }],
    ['a header condition with two tests', { rules: [{ match: { headers: [{ name: 'x', equals: 'a', present: true }] } }] }],
    ['a header condition with none', { rules: [{ match: { headers: [{ name: 'x' }] } }] }],
    ['a pseudo-header in set', { rules: [{ request: { set: { ':path': '/x' } } }] }],
    ['regex without substitution', { rules: [{ rewrite: { regex: 'a' } }] }],
    ['a non-string value', { rules: [{ request: { set: { 'x-a': 1 } } }] }],
  ])('refuses %s, as the filter does', async (_what, config) => {
    expect(validate(config)).toBe(false)
    await expect(loadFilter(wasm, { config })).rejects.toMatchObject({ code: 'WG_ERR_FILTER_CONFIGURE_FAILED' })
  })
})
