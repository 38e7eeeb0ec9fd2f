/**
 * @module
 * The local content-addressed cache of pulled filters:
 *   blobs/sha256/<hex>          module bytes, named by their own sha256 (checked on every read)
 *   images/<manifest hex>.json  what a manifest digest resolved to (module digest, format, annotations)
 *   tags/<sha256 of ref>.json   which manifest digest a `registry/repo:tag` pointed at last
 * Writes go to a temp file and are renamed into place, so readers never see half a file and
 * concurrent pulls of the same content are harmless.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { WasmgateError } from '../errors.ts'
import { sha256Hex } from './digest.ts'
import type { PulledFormat } from './media-types.ts'

export interface ImageRecord {
  /** Digest the reference resolved to (an index digest when the tag names an index). */
  readonly manifestDigest: string
  /** The image manifest the module came from (equals manifestDigest unless an index was resolved). */
  readonly imageDigest: string
  readonly wasmDigest: string
  readonly format: PulledFormat
  readonly annotations: Readonly<Record<string, string>>
  readonly rootIds: readonly string[]
  readonly abiVersions: readonly string[]
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WASMGATE_CACHE_DIR) return env.WASMGATE_CACHE_DIR
  return join(env.XDG_CACHE_HOME ?? join(env.HOME ?? homedir(), '.cache'), 'wasmgate', 'oci')
}

export class OciCache {
  readonly dir: string

  constructor(dir: string) {
    this.dir = dir
  }

  /** The module bytes, or undefined when absent or corrupted (a corrupted file is removed). */
  async readBlob(digest: string): Promise<Buffer | undefined> {
    const path = this.#blobPath(digest)
    const bytes = await this.#read(path)
    if (bytes === undefined) return undefined
    if (`sha256:${sha256Hex(bytes)}` !== digest) {
      await rm(path, { force: true })
      return undefined
    }
    return bytes
  }

  async writeBlob(digest: string, bytes: Uint8Array): Promise<void> {
    await this.#write(this.#blobPath(digest), bytes)
  }

  async readImage(manifestDigest: string): Promise<ImageRecord | undefined> {
    const bytes = await this.#read(join(this.dir, 'images', `${hexOf(manifestDigest)}.json`))
    const record = bytes === undefined ? undefined : (parseJson(bytes) as ImageRecord | undefined)
    return record?.manifestDigest === manifestDigest && typeof record.wasmDigest === 'string' ? record : undefined
  }

  async writeImage(record: ImageRecord): Promise<void> {
    await this.#write(join(this.dir, 'images', `${hexOf(record.manifestDigest)}.json`), Buffer.from(JSON.stringify(record)))
  }

  async readTag(reference: string): Promise<string | undefined> {
    const bytes = await this.#read(this.#tagPath(reference))
    const record = bytes === undefined ? undefined : (parseJson(bytes) as { reference?: string; digest?: string } | undefined)
    return record?.reference === reference && typeof record.digest === 'string' ? record.digest : undefined
  }

  async writeTag(reference: string, digest: string): Promise<void> {
    await this.#write(this.#tagPath(reference), Buffer.from(JSON.stringify({ reference, digest, pulledAt: new Date().toISOString() })))
  }

  #blobPath(digest: string): string {
    return join(this.dir, 'blobs', 'sha256', hexOf(digest))
  }

  #tagPath(reference: string): string {
    return join(this.dir, 'tags', `${createHash('sha256').update(reference).digest('hex')}.json`)
  }

  async #read(path: string): Promise<Buffer | undefined> {
    try {
      return await readFile(path)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw new WasmgateError('WG_ERR_OCI_CACHE', [this.dir, (err as Error).message], { cause: err })
    }
  }

  async #write(path: string, bytes: Uint8Array): Promise<void> {
    try {
      await mkdir(dirname(path), { recursive: true })
      const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
      await writeFile(tmp, bytes)
      await rename(tmp, path)
    } catch (err) {
      throw new WasmgateError('WG_ERR_OCI_CACHE', [this.dir, (err as Error).message], { cause: err })
    }
  }
}

function hexOf(digest: string): string {
  const hex = digest.startsWith('sha256:') ? digest.slice(7) : digest
  if (!/^[a-f0-9]{64}$/.test(hex)) throw new RangeError(`not a sha256 digest: ${digest}`)
  return hex
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'))
  } catch {
    return undefined
  }
}
