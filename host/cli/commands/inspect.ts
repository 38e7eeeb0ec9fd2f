/**
 * @module
 * `wasmgate inspect FILE|REF`: what a module is (ABI version from its marker exports, imports,
 * exports, size, sha256) and, for a registry reference, the image around it (manifest digest,
 * format, annotations, root ids).
 */
import { readFile, stat } from 'node:fs/promises'
import type { Command } from 'commander'
import { describeWasmModule, pullWasmModule, type PulledModule } from '../../oci/index.ts'
import { addRegistryOptions, clientOptions, printResult, type RegistryFlags } from '../registry-options.ts'

export function registerInspect(program: Command): void {
  const command = program
    .command('inspect')
    .description('show a filter module\'s ABI version, imports, exports, size and digests')
    .argument('<source>', 'a .wasm file, or an OCI reference (REGISTRY/REPOSITORY:TAG)')
  addRegistryOptions(command).action(async (source: string, flags: RegistryFlags) => {
    let bytes: Buffer
    let image: Omit<PulledModule, 'bytes'> | undefined
    if (await isFile(source)) {
      bytes = await readFile(source)
    } else {
      const { bytes: pulled, ...rest } = await pullWasmModule(source, { ...(await clientOptions(flags)), pullPolicy: 'Always' })
      bytes = pulled
      image = rest
    }
    const info = describeWasmModule(bytes, source)
    const abi = info.abiVersions.join(',') || 'none (no proxy_abi_version_* export)'
    const lines = [
      `source:       ${source}`,
      `ABI version:  ${abi}`,
      `size:         ${info.sizeBytes} bytes`,
      `sha256:       ${info.sha256}`,
    ]
    if (image !== undefined) {
      lines.push(`manifest:     ${image.manifestDigest}`, `format:       ${image.format}`, `root ids:     ${image.rootIds.join(', ') || '-'}`)
      lines.push('annotations:', ...Object.entries(image.annotations).map(([k, v]) => `  ${k}: ${v}`))
    }
    lines.push(`imports (${info.imports.length}):`, ...info.imports.map((i) => `  ${i.module}.${i.name} (${i.kind})`))
    lines.push(`exports (${info.exports.length}):`, ...info.exports.map((e) => `  ${e.name} (${e.kind})`))
    const abiVersion = info.abiVersions[0] ?? null
    printResult(flags, { source, abiVersion, ...info, ...(image === undefined ? {} : { image }) }, lines)
  })
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}
