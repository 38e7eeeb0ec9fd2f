/**
 * @module
 * `wasmgate pull REF [-o FILE]`: fetch a filter module from an OCI registry (any supported image
 * shape), verify every digest, and write the module.
 */
import { writeFile } from 'node:fs/promises'
import { Option, type Command } from 'commander'
import { isWasmgateError, WasmgateError } from '../../errors.ts'
import { parseReference, pullWasmModule, RegistryClient, type PullPolicy } from '../../oci/index.ts'
import { addRegistryOptions, clientOptions, createProgress, printResult, type RegistryFlags } from '../registry-options.ts'

interface PullFlags extends RegistryFlags {
  output?: string
  pullPolicy: PullPolicy
  cache: boolean
  sha256?: string
}

export function registerPull(program: Command): void {
  const command = program
    .command('pull')
    .description('fetch a .wasm filter from an OCI registry')
    .argument('<ref>', 'REGISTRY/REPOSITORY:TAG or REGISTRY/REPOSITORY@sha256:DIGEST (oci:// optional)')
    .option('-o, --output <file>', 'where to write the module (default: <repository name>.wasm)')
    .addOption(new Option('--pull-policy <policy>', 'use a cached copy of the tag, or check the tag first').choices(['IfNotPresent', 'Always']).default('Always'))
    .option('--no-cache', 'bypass the local cache (WASMGATE_CACHE_DIR)')
    .option('--sha256 <hex>', 'expected module sha256 or manifest digest')
  addRegistryOptions(command).action(async (refText: string, flags: PullFlags) => {
    const ref = parseReference(refText)
    const options = await clientOptions(flags)
    const progress = createProgress(flags)
    let pulled
    try {
      pulled = await pullWasmModule(refText, {
        ...options,
        pullPolicy: flags.pullPolicy,
        ...(flags.cache ? {} : { cacheDir: false as const }),
        ...(flags.sha256 === undefined ? {} : { sha256: flags.sha256 }),
        onProgress: (done, total) => progress.update('pull', done, total),
      })
    } catch (err) {
      throw await withTagList(err, ref, options)
    } finally {
      progress.stop()
    }
    const output = flags.output ?? `${ref.repository.split('/').pop()}.wasm`
    await writeFile(output, pulled.bytes)
    const { bytes: _bytes, ...summary } = pulled
    printResult(flags, { ...summary, output, sizeBytes: pulled.bytes.length }, [
      `pulled ${pulled.reference}${pulled.fromCache ? ' (from cache)' : ''}`,
      `  digest:  ${pulled.manifestDigest}`,
      `  format:  ${pulled.format}`,
      `  module:  sha256:${pulled.sha256} (${pulled.bytes.length} bytes) -> ${output}`,
    ])
  })
}

/** A missing tag gets the repository's tags added to the error, when the registry lists them. */
async function withTagList(err: unknown, ref: ReturnType<typeof parseReference>, options: Awaited<ReturnType<typeof clientOptions>>): Promise<unknown> {
  if (!isWasmgateError(err, 'WG_ERR_OCI_NOT_FOUND') || ref.digest !== undefined) return err
  const client = new RegistryClient(ref.registry, ref.apiHost, options)
  try {
    const tags = await client.listTags(ref.repository)
    const known = tags.length === 0 ? 'the repository has no tags' : `tags: ${tags.slice(0, 20).join(', ')}${tags.length > 20 ? ', …' : ''}`
    return new WasmgateError('WG_ERR_OCI_NOT_FOUND', [`${ref.registry}/${ref.repository}:${ref.tag ?? ''}`, known], { cause: err })
  } catch {
    return err
  } finally {
    await client.close()
  }
}
