// filters/header-rewrite/config.schema.json agrees with the filter: the README example passes the
// schema and loads; configurations the filter refuses for their shape, the schema refuses too
// (regex and template syntax are beyond JSON Schema).
import { describe, expect, it } from 'vitest'
import { configSchema, readmeExample } from '../../helpers/filter-docs.ts'
import { filterDir, useFilter } from '../../helpers/filter-harness.ts'

const dir = filterDir('header-rewrite')
const validate = configSchema(dir)
const rewrite = useFilter(dir)

describe('header-rewrite config schema', () => {
  it('accepts the README example, which the filter loads', async () => {
    const config = readmeExample(dir)
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true)
    await rewrite.load({ config })
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
    expect(await rewrite.refusal({ config })).toMatchObject({ code: 'WG_ERR_FILTER_CONFIGURE_FAILED' })
  })
})
