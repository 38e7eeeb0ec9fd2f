/**
 * @module
 * Reads a filter's module bytes from its configured source: a path (relative to the config
 * file's directory), `https://` (a sha256 is required: the bytes run inside the proxy), or
 * `oci://REF` (host/oci pull, through its cache). A given sha256 is verified for every kind.
 */
import { readFile } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import { request } from 'undici'
import { WasmgateError } from '../errors.ts'
import { sha256Hex } from './module-cache.ts'

export interface ModuleSourceOptions {
  readonly baseDir: string
  /** Expected sha256, hex, with or without `sha256:`. */
  readonly sha256?: string | undefined
  readonly pullPolicy?: 'IfNotPresent' | 'Always'
}

export interface LoadedSource {
  readonly bytes: Uint8Array
  readonly sha256: string
  /** What the source resolved to (absolute path, URL, pinned OCI reference). */
  readonly resolved: string
}

const MAX_HTTPS_BYTES = 256 * 1024 * 1024

export async function loadModuleSource(source: string, options: ModuleSourceOptions): Promise<LoadedSource> {
  const expected = options.sha256?.replace(/^sha256:/, '')
  let bytes: Uint8Array
  let resolved = source
  if (source.startsWith('oci://')) {
    const { pullWasmModule } = await import('../oci/pull.ts')
    const pulled = await pullWasmModule(source.slice('oci://'.length), {
      ...(expected === undefined ? {} : { sha256: expected }),
      ...(options.pullPolicy === undefined ? {} : { pullPolicy: options.pullPolicy }),
    })
    // pull verified the digest (module or manifest); nothing more to check here.
    return { bytes: pulled.bytes, sha256: pulled.sha256, resolved: pulled.pinnedReference }
  } else if (source.startsWith('https://') || source.startsWith('http://')) {
    if (expected === undefined) throw new WasmgateError('WG_ERR_WASM_SOURCE', [source, 'a sha256 is required for a module fetched over the network'])
    bytes = await fetchBytes(source)
  } else {
    const path = source.startsWith('file://') ? new URL(source).pathname : isAbsolute(source) ? source : resolve(options.baseDir, source)
    resolved = path
    try {
      bytes = await readFile(path)
    } catch (err) {
      throw new WasmgateError('WG_ERR_WASM_SOURCE', [path, (err as Error).message], { cause: err })
    }
  }
  const sha256 = sha256Hex(bytes)
  if (expected !== undefined && expected !== sha256) throw new WasmgateError('WG_ERR_WASM_SHA256_MISMATCH', [sha256, expected])
  return { bytes, sha256, resolved }
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  try {
    const res = await request(url)
    if (res.statusCode !== 200) {
      await res.body.dump()
      throw new WasmgateError('WG_ERR_WASM_SOURCE', [url, `HTTP ${res.statusCode}`])
    }
    const chunks: Buffer[] = []
    let total = 0
    for await (const chunk of res.body) {
      total += (chunk as Buffer).length
      if (total > MAX_HTTPS_BYTES) throw new WasmgateError('WG_ERR_WASM_SOURCE', [url, `larger than ${MAX_HTTPS_BYTES} bytes`])
      chunks.push(chunk as Buffer)
    }
    return Buffer.concat(chunks)
  } catch (err) {
    if (err instanceof WasmgateError) throw err
    throw new WasmgateError('WG_ERR_WASM_SOURCE', [url, (err as Error).message], { cause: err })
  }
}
