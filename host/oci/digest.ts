/**
 * @module
 * sha256 digests, and reading a response body while checking its size and digest as it
 * streams, so a tampered or oversized blob is refused before it is ever used.
 */
import { createHash } from 'node:crypto'
import { WasmgateError } from '../errors.ts'

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

export function digestOf(bytes: Uint8Array): string {
  return `sha256:${sha256Hex(bytes)}`
}

export interface ExpectedContent {
  /** What the content is, for error messages (`blob sha256:… of repo`). */
  readonly what: string
  readonly digest: string
  /** Exact size when known (from a descriptor). */
  readonly size?: number
  /** Upper bound when the size is not known. */
  readonly maxBytes?: number
}

/**
 * Reads a body stream into one buffer, failing as soon as it exceeds the expected size and
 * at the end when its size or sha256 differ. `onBytes` reports progress.
 */
export async function readVerified(
  body: AsyncIterable<Uint8Array> | null,
  expected: ExpectedContent,
  onBytes?: (total: number) => void,
): Promise<Buffer> {
  if (!expected.digest.startsWith('sha256:')) {
    throw new WasmgateError('WG_ERR_OCI_FORMAT', [expected.what, `unsupported digest algorithm in ${expected.digest}`])
  }
  const limit = expected.size ?? expected.maxBytes ?? Number.MAX_SAFE_INTEGER
  const hash = createHash('sha256')
  const chunks: Buffer[] = []
  let total = 0
  if (body !== null) {
    for await (const chunk of body) {
      total += chunk.byteLength
      if (total > limit) {
        throw new WasmgateError('WG_ERR_OCI_SIZE_MISMATCH', [expected.what, `more than ${limit}`, expected.size ?? `at most ${limit}`])
      }
      hash.update(chunk)
      chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
      onBytes?.(total)
    }
  }
  if (expected.size !== undefined && total !== expected.size) {
    throw new WasmgateError('WG_ERR_OCI_SIZE_MISMATCH', [expected.what, total, expected.size])
  }
  const actual = `sha256:${hash.digest('hex')}`
  if (actual !== expected.digest) {
    throw new WasmgateError('WG_ERR_OCI_DIGEST_MISMATCH', [expected.what, actual, expected.digest])
  }
  return Buffer.concat(chunks, total)
}
