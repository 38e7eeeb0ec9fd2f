/**
 * @module
 * `wasmgate build [DIR]`: compiles a filter project (DIR/assembly/index.ts) with the
 * AssemblyScript compiler and prints the .wasm path, size and sha256. Release builds are
 * optimized for size and speed; `--debug` keeps names and writes a source map. Compiler errors
 * are printed as `file:line:column: ERROR ...` and the command exits non-zero.
 */
import { createHash } from 'node:crypto'
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs'
import { basename, dirname, join, relative, resolve } from 'node:path'
import type { Command } from 'commander'
import { WasmgateError } from '../../errors.ts'
import { packageRoot } from '../../package-root.ts'

export interface BuildOptions {
  readonly debug?: boolean
  /** Where asc output goes (diagnostics); defaults to collecting them for the error. */
  readonly onWarning?: (text: string) => void
}

export interface BuildResult {
  readonly outFile: string
  readonly sizeBytes: number
  readonly sha256: string
}

/** The installed wasmgate package (holds asconfig.json and sdk/); dist/cli.js lives one below. */
/** Rewrites asc diagnostics so each starts with `file:line:column: ERROR TSxxxx: message`. */
export function formatAscDiagnostics(text: string, sdkPrefix: string): string {
  const out: string[] = []
  for (const block of text.replace(/\x1b\[[0-9;]*m/g, '').split(/\n(?=(?:ERROR|WARNING|INFO) )/)) {
    const head = /^(ERROR|WARNING|INFO) (\S+): (.*)$/m.exec(block)
    const where = /in (\S+?)\((\d+),(\d+)\)/.exec(block)
    if (head !== null && where !== null) {
      const file = (where[1] ?? '').replace(/^~lib\/wasmgate\//, sdkPrefix)
      out.push(`${file}:${where[2]}:${where[3]}: ${head[1]} ${head[2]}: ${head[3]}\n${block.trim()}`)
    } else if (block.trim() !== '' && !block.startsWith('FAILURE')) {
      out.push(block.trim())
    }
  }
  return out.join('\n\n')
}

/** The project's name: package.json "name" (without scope), else the directory name. */
function projectName(dir: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }
    if (typeof pkg.name === 'string' && pkg.name !== '') return pkg.name.replace(/^@[^/]+\//, '')
  } catch {
    // no package.json: fall back to the directory name
  }
  return basename(dir)
}

/**
 * asc finds the SDK by package name (`wasmgate/sdk/assembly`) in node_modules. A project inside
 * the wasmgate repository has none, so point asc at a directory holding a `wasmgate` link.
 */
function sdkSearchPath(dir: string, pkgRoot: string): string | undefined {
  if (existsSync(join(dir, 'node_modules', 'wasmgate'))) return undefined
  if (relative(pkgRoot, dir).startsWith('..')) return undefined
  const packages = join(pkgRoot, '.cache', 'asc-packages')
  const link = join(packages, 'wasmgate')
  mkdirSync(packages, { recursive: true })
  try {
    lstatSync(link)
  } catch {
    symlinkSync(relative(packages, pkgRoot), link, 'dir')
  }
  return packages
}

export async function buildFilterProject(projectDir: string, options: BuildOptions = {}): Promise<BuildResult> {
  const dir = resolve(projectDir)
  const entry = join(dir, 'assembly', 'index.ts')
  if (!existsSync(entry)) throw new WasmgateError('WG_ERR_CLI_BUILD', [`${relative(process.cwd(), entry) || entry} not found: a filter project has its entry at assembly/index.ts (create one with \`wasmgate new NAME\`)`])
  const pkgRoot = packageRoot()
  const ownConfig = join(dir, 'asconfig.json')
  const config = existsSync(ownConfig) ? ownConfig : join(pkgRoot, 'asconfig.json')
  const target = options.debug === true ? 'debug' : 'release'
  const name = projectName(dir)
  const outFile = join(dir, 'build', options.debug === true ? `${name}.debug.wasm` : `${name}.wasm`)
  mkdirSync(dirname(outFile), { recursive: true })

  // Paths are relative to the working directory, so diagnostics read like `my-filter/assembly/index.ts:3:5`.
  const cwd = process.cwd()
  const argv = [relative(cwd, entry), '--config', relative(cwd, config), '--target', target, '--outFile', relative(cwd, outFile), '--noColors']
  const searchPath = sdkSearchPath(dir, pkgRoot)
  if (searchPath !== undefined) argv.push('--path', searchPath)
  if (options.debug === true) argv.push('--sourceMap')

  let stderr = ''
  // Loaded on demand: only `build` needs the compiler (a project depends on assemblyscript).
  const asc = (await import('assemblyscript/asc')).default
  const { error } = await asc.main(argv, {
    stdout: { write: () => true } as never,
    stderr: { write: (chunk: string | Uint8Array) => { stderr += String(chunk); return true } } as never,
    readFile: (file: string, baseDir: string) => {
      try {
        return readFileSync(resolve(cwd, baseDir, file), 'utf8')
      } catch {
        return null
      }
    },
  })
  const sdkPrefix = `${relative(cwd, searchPath !== undefined ? pkgRoot : join(dir, 'node_modules', 'wasmgate')) || '.'}/`
  if (error) throw new WasmgateError('WG_ERR_CLI_BUILD', [`\n${formatAscDiagnostics(stderr, sdkPrefix) || error.message}\n`])
  if (stderr.trim() !== '') options.onWarning?.(formatAscDiagnostics(stderr, sdkPrefix))
  const bytes = readFileSync(outFile)
  return { outFile, sizeBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }
}

export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('compile a filter project (DIR/assembly/index.ts) to build/NAME.wasm; prints path, size, sha256')
    .argument('[dir]', 'the filter project directory', '.')
    .option('--debug', 'unoptimized build with names and a source map (build/NAME.debug.wasm)')
    .action(async (dir: string, flags: { debug?: boolean }) => {
      const result = await buildFilterProject(dir, { debug: flags.debug === true, onWarning: (t) => process.stderr.write(`${t}\n`) })
      process.stdout.write(`built ${relative(process.cwd(), result.outFile) || result.outFile}\n  size:   ${result.sizeBytes} bytes\n  sha256: ${result.sha256}\n`)
    })
}
