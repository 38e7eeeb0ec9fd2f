// Compiles every AssemblyScript filter in the repo: each directory with `assembly/index.ts` under
// filters/ and test/fixtures/filters/ becomes `<dir>/build/<dirname>.wasm` (release target).
//
// A build is cached: asc's own reads are recorded (every source file it opened, the SDK included)
// with their sha256 in `<dir>/build/.build-cache.json`, so the second `npm test` recompiles only
// what changed. Errors are printed as `file:line:column` and make the build fail.
//
//   node scripts/build-wasm.mjs                       build everything
//   node scripts/build-wasm.mjs test/fixtures/filters/x   build one directory (no cache)
import asc from 'assemblyscript/asc'
import { createHash } from 'node:crypto'
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { basename, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const SEARCH_ROOTS = ['filters', 'test/fixtures/filters']
const CACHE_FILE = '.build-cache.json'
// In-repo filters import the SDK by its package name, exactly as a user's project does
// (`import { HttpContext } from "wasmgate/sdk/assembly"`). asc resolves package names from its
// `--path` directories, so one of them holds a `wasmgate` link back to this repository.
const PACKAGES_DIR = '.cache/asc-packages'

/** Every directory that holds `assembly/index.ts`, at any depth below the search roots. */
export function findFilterDirs() {
  const found = []
  const visit = (dir) => {
    if (!existsSync(dir)) return
    if (existsSync(join(dir, 'assembly', 'index.ts'))) {
      found.push(dir)
      return
    }
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'build' && !entry.name.startsWith('.')) {
        visit(join(dir, entry.name))
      }
    }
  }
  for (const r of SEARCH_ROOTS) visit(join(root, r))
  return found.sort()
}

function ensurePackageLink() {
  const dir = join(root, PACKAGES_DIR)
  const link = join(dir, 'wasmgate')
  mkdirSync(dir, { recursive: true })
  try {
    lstatSync(link)
  } catch {
    symlinkSync(relative(dir, root) || '.', link, 'dir')
  }
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex')

/** Rewrites asc's diagnostics so each starts with `file:line:column: ERROR ...` (clickable, greppable). */
// `~lib/wasmgate/X` is how asc names SDK files reached by package name; here they are `X`.
export function formatDiagnostics(text, packagePrefix = '') {
  const out = []
  const blocks = text.replace(/\x1b\[[0-9;]*m/g, '').split(/\n(?=(?:ERROR|WARNING|INFO) )/)
  for (const block of blocks) {
    const head = block.match(/^(ERROR|WARNING|INFO) (\S+): (.*)$/m)
    const where = block.match(/in (\S+?)\((\d+),(\d+)\)/)
    const file = where ? where[1].replace(/^~lib\/wasmgate\//, packagePrefix) : ''
    if (head && where) out.push(`${file}:${where[2]}:${where[3]}: ${head[1]} ${head[2]}: ${head[3]}\n${block.trim()}`)
    else if (block.trim() !== '') out.push(block.trim())
  }
  return out.join('\n\n')
}

function readCache(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return undefined
  }
}

function isFresh(cache, outFile, target) {
  if (cache === undefined || cache.ascVersion !== asc.version || cache.target !== target || !existsSync(outFile)) return false
  if (sha256(readFileSync(outFile)) !== cache.wasmSha256) return false
  for (const [file, hash] of Object.entries(cache.files)) {
    const abs = resolve(root, file)
    if (!existsSync(abs) || sha256(readFileSync(abs)) !== hash) return false
  }
  return true
}

/**
 * Compiles one filter directory with asc. Returns `{ outFile, bytes, sha256, cached }`; throws an
 * Error whose message holds the formatted diagnostics when asc fails.
 */
export async function compileFilterDir(dir, { target = 'release', useCache = true } = {}) {
  ensurePackageLink()
  const name = basename(dir)
  const outFile = join(dir, 'build', `${name}.wasm`)
  const cacheFile = join(dir, 'build', CACHE_FILE)
  if (useCache && isFresh(readCache(cacheFile), outFile, target)) {
    const bytes = readFileSync(outFile)
    return { outFile, bytes: bytes.length, sha256: sha256(bytes), cached: true }
  }
  const ownConfig = join(dir, 'asconfig.json')
  const config = existsSync(ownConfig) ? ownConfig : join(root, 'asconfig.json')
  const reads = new Map()
  let stderrText = ''
  const stderr = { write: (chunk) => { stderrText += String(chunk); return true } }
  const stdout = { write: () => true }
  mkdirSync(join(dir, 'build'), { recursive: true })
  // Compile to a private file and rename it into place: test files running in parallel may build
  // the same filter at once, and a reader must never see a half-written module.
  const tmpFile = join(dir, 'build', `.${name}.${process.pid}.${Date.now()}.wasm`)
  const argv = [
    relative(root, join(dir, 'assembly', 'index.ts')),
    '--config', relative(root, config),
    '--target', target,
    '--outFile', relative(root, tmpFile),
    '--path', PACKAGES_DIR,
    '--noColors',
  ]
  const { error } = await asc.main(argv, {
    stdout,
    stderr,
    readFile(filename, baseDir) {
      const abs = resolve(root, baseDir, filename)
      try {
        const text = readFileSync(abs, 'utf8')
        reads.set(relative(root, abs), sha256(text))
        return text
      } catch {
        return null
      }
    },
  })
  if (error) {
    rmSync(tmpFile, { force: true })
    rmSync(cacheFile, { force: true })
    throw new Error(`asc failed for ${relative(root, dir)}:\n${formatDiagnostics(stderrText) || error.message}`)
  }
  const bytes = readFileSync(tmpFile)
  renameSync(tmpFile, outFile)
  const digest = sha256(bytes)
  const tmpCache = `${cacheFile}.${process.pid}`
  writeFileSync(tmpCache, JSON.stringify({ ascVersion: asc.version, target, wasmSha256: digest, files: Object.fromEntries(reads) }, null, 1))
  renameSync(tmpCache, cacheFile)
  return { outFile, bytes: bytes.length, sha256: digest, cached: false }
}

/** Builds every filter in the repo; fails (throws) after reporting every broken one. */
export async function buildAllWasm({ quiet = false } = {}) {
  const failures = []
  for (const dir of findFilterDirs()) {
    try {
      const r = await compileFilterDir(dir)
      if (!quiet && !r.cached) process.stdout.write(`wasm  ${relative(root, r.outFile)}  ${r.bytes} bytes\n`)
    } catch (err) {
      failures.push(err.message)
    }
  }
  if (failures.length > 0) {
    process.stderr.write(failures.join('\n\n') + '\n')
    throw new Error(`${failures.length} filter build(s) failed`)
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dirs = process.argv.slice(2)
  try {
    if (dirs.length === 0) await buildAllWasm()
    for (const d of dirs) {
      const r = await compileFilterDir(resolve(d), { useCache: false })
      process.stdout.write(`wasm  ${relative(root, r.outFile)}  ${r.bytes} bytes  sha256:${r.sha256}\n`)
    }
  } catch (err) {
    process.stderr.write(`${err.message}\n`)
    process.exitCode = 1
  }
}
