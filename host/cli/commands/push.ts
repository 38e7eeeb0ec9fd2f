/**
 * @module
 * `wasmgate push FILE REF`: publish a filter module to an OCI registry (solo "oci" format by
 * default, which Istio and Envoy Gateway load; `--format cncf` or `--format compat` on request).
 */
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { Option, type Command } from 'commander'
import { WasmgateError } from '../../errors.ts'
import { IMAGE_FORMATS, pushWasmModule, type ImageFormat } from '../../oci/index.ts'
import { addRegistryOptions, clientOptions, createProgress, printResult, type RegistryFlags } from '../registry-options.ts'

interface PushFlags extends RegistryFlags {
  format: ImageFormat
  rootId: string[]
  annotation: string[]
  chunkSize?: string
}

export function registerPush(program: Command): void {
  const command = program
    .command('push')
    .description('publish a .wasm filter to an OCI registry')
    .argument('<file>', 'the .wasm module')
    .argument('<ref>', 'REGISTRY/REPOSITORY:TAG, e.g. localhost:5000/filters/auth:v1')
    .addOption(new Option('--format <format>', 'image format').choices(IMAGE_FORMATS).default('oci'))
    .option('--root-id <id>', 'a root id (plugin name) the module serves; repeatable', collect, [])
    .option('--annotation <key=value>', 'an extra manifest annotation; repeatable', collect, [])
    .option('--chunk-size <bytes>', 'upload blobs larger than this in chunks of this size')
  addRegistryOptions(command).action(async (file: string, ref: string, flags: PushFlags) => {
    let wasm: Buffer
    try {
      wasm = await readFile(file)
    } catch (err) {
      throw new WasmgateError('WG_ERR_CLI_USAGE', [`cannot read ${file}: ${(err as Error).message}`], { cause: err })
    }
    const annotations: Record<string, string> = {}
    for (const a of flags.annotation) {
      const eq = a.indexOf('=')
      if (eq <= 0) throw new WasmgateError('WG_ERR_CLI_USAGE', [`--annotation ${a} is not KEY=VALUE`])
      annotations[a.slice(0, eq)] = a.slice(eq + 1)
    }
    const chunkSizeBytes = flags.chunkSize === undefined ? undefined : Number(flags.chunkSize)
    if (chunkSizeBytes !== undefined && !(Number.isSafeInteger(chunkSizeBytes) && chunkSizeBytes > 0)) {
      throw new WasmgateError('WG_ERR_CLI_USAGE', [`--chunk-size must be a positive integer (got ${flags.chunkSize})`])
    }
    const epoch = process.env.SOURCE_DATE_EPOCH
    const progress = createProgress(flags)
    try {
      const result = await pushWasmModule(wasm, ref, {
        ...(await clientOptions(flags)),
        format: flags.format,
        rootIds: flags.rootId,
        annotations,
        title: basename(file),
        ...(epoch !== undefined && /^[0-9]+$/.test(epoch) ? { created: new Date(Number(epoch) * 1000).toISOString().replace('.000Z', 'Z') } : {}),
        ...(chunkSizeBytes === undefined ? {} : { chunkSizeBytes }),
        onProgress: (e) => progress.update(`push ${e.digest.slice(7, 19)}`, e.bytesSent, e.bytesTotal),
      })
      progress.stop()
      if (result.abiVersions.length === 0 && flags.json !== true) {
        process.stderr.write('warning: the module exports no proxy_abi_version_* marker; proxies may refuse it\n')
      }
      printResult(flags, result, [
        `pushed ${result.reference}`,
        `  digest:  ${result.manifestDigest}`,
        `  format:  ${result.format}`,
        `  module:  sha256:${result.sha256} (${result.sizeBytes} bytes, ABI ${result.abiVersions.join(',') || 'unknown'})`,
        `  blobs:   ${result.blobs.filter((b) => b.uploaded).length} uploaded, ${result.blobs.filter((b) => !b.uploaded).length} already present`,
      ])
    } finally {
      progress.stop()
    }
  })
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}
