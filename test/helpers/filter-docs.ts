/**
 * @module
 * What a filter directory documents about its configuration: `config.schema.json`, compiled with
 * ajv (JSON Schema 2020-12, strict), and the configuration in the README's first yaml example.
 * ajv comes with fastify (a dev dependency).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import { parse } from 'yaml'

/** The filter's config.schema.json as a validator; `validate.errors` explains a refusal. */
export function configSchema(dir: string): ValidateFunction {
  const schema = JSON.parse(readFileSync(join(dir, 'config.schema.json'), 'utf8')) as object
  return new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile(schema)
}

/** The `config` of the filter named `name` (default: the first) in README.md's first yaml block. */
export function readmeExample(dir: string, name?: string): unknown {
  const yaml = /```yaml\n([\s\S]*?)```/.exec(readFileSync(join(dir, 'README.md'), 'utf8'))?.[1]
  if (yaml === undefined) throw new Error(`${dir}/README.md has no yaml example`)
  const filters = (parse(yaml) as { filters?: Array<{ name?: string; config?: unknown }> }).filters ?? []
  const entry = name === undefined ? filters[0] : filters.find((f) => f.name === name)
  if (entry === undefined) throw new Error(`${dir}/README.md: the yaml example has no filter ${name ?? ''}`)
  return entry.config
}
