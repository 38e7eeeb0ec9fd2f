/**
 * @module
 * `wasmgate new NAME [DIR]`: scaffolds a filter project that builds and passes its own tests
 * out of the box: an AssemblyScript entry using the SDK, asconfig.json, package.json, a vitest
 * test on `wasmgate/testing`, and a README.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import type { Command } from 'commander'
import { WasmgateError } from '../../errors.ts'
import { isRunningFromCheckout, packageRoot } from '../../package-root.ts'
import { scaffoldFiles } from './new-templates.ts'

export interface NewOptions {
  /** The `wasmgate` dependency in the new package.json: a semver range, or `file:...` for a tarball. */
  readonly wasmgateSpec?: string
}

const NAME = /^[a-z][a-z0-9-]{0,63}$/

/** Writes the project; returns the files written (relative to DIR). */
export function createFilterProject(name: string, projectDir: string, options: NewOptions = {}): string[] {
  if (!NAME.test(name)) throw new WasmgateError('WG_ERR_CLI_USAGE', [`invalid filter name ${JSON.stringify(name)}: use lowercase letters, digits and dashes, starting with a letter`])
  const dir = resolve(projectDir)
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new WasmgateError('WG_ERR_CLI_EXISTS', [`${dir} (not empty)`])
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string; devDependencies?: Record<string, string> }
  const files = scaffoldFiles(name, {
    // From a checkout, depend on that checkout; from an installed wasmgate, on its version.
    wasmgate: options.wasmgateSpec ?? (isRunningFromCheckout() ? `file:${packageRoot()}` : `^${pkg.version}`),
    assemblyscript: pkg.devDependencies?.assemblyscript ?? '^0.28.0',
    vitest: pkg.devDependencies?.vitest ?? '^4.0.0',
  })
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  return Object.keys(files)
}

export function registerNew(program: Command): void {
  program
    .command('new')
    .description('scaffold a filter project (AssemblyScript SDK, build config, a test) in DIR (default ./NAME)')
    .argument('<name>', 'the filter name (lowercase, digits, dashes)')
    .argument('[dir]', 'where to create it (default: ./NAME)')
    .option('--wasmgate <spec>', 'the wasmgate dependency to write in package.json (a version range or file:PATH)')
    .action((name: string, dir: string | undefined, flags: { wasmgate?: string }) => {
      const target = dir ?? name
      const files = createFilterProject(name, target, flags.wasmgate === undefined ? {} : { wasmgateSpec: flags.wasmgate })
      const shown = relative(process.cwd(), resolve(target)) || '.'
      process.stdout.write(`created ${shown}/\n${files.map((f) => `  ${f}`).join('\n')}\n\nnext:\n  cd ${shown}\n  npm install\n  npm test          # builds build/${name}.wasm and runs test/${name}.test.ts\n`)
    })
}
