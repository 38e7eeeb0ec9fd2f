/**
 * @module
 * Blob upload flows of the distribution spec: a session POST, then either one PUT with the
 * whole blob (monolithic) or PATCH chunks and a closing PUT. The POST carries no body, so it
 * settles auth before any bytes are sent; every later step uses the newest Location.
 */
import { WasmgateError } from '../errors.ts'
import type { RegistryClient } from './client.ts'

export type UploadProgress = (bytesSent: number, bytesTotal: number) => void

/** Blobs above this go up in PATCH chunks of this size. */
export const DEFAULT_CHUNK_SIZE_BYTES = 8 * 1024 * 1024
const STREAM_PIECE_BYTES = 64 * 1024

export async function uploadBlob(
  client: RegistryClient,
  repo: string,
  bytes: Buffer,
  digest: string,
  options: { chunkSizeBytes?: number; onProgress?: UploadProgress } = {},
): Promise<void> {
  const what = `upload of blob ${digest} to ${repo}`
  const started = await client.request('POST', `/v2/${repo}/blobs/uploads/`, {
    repo,
    push: true,
    headers: { 'content-length': '0' },
    expect: [202],
    what,
  })
  await started.body?.cancel()
  let location = await nextLocation(client, started.headers.get('location'), what)
  const minChunk = Number(started.headers.get('oci-chunk-min-length') ?? 0) || 0
  const chunkSize = Math.max(options.chunkSizeBytes ?? DEFAULT_CHUNK_SIZE_BYTES, minChunk, 1)
  const total = bytes.length
  const report = options.onProgress

  if (total > chunkSize) {
    for (let start = 0; start < total; start += chunkSize) {
      const piece = bytes.subarray(start, Math.min(total, start + chunkSize))
      const res = await client.request('PATCH', location, {
        repo,
        push: true,
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(piece.length),
          'content-range': `${start}-${start + piece.length - 1}`,
        },
        body: () => piece,
        expect: [202],
        what,
      })
      await res.body?.cancel()
      location = await nextLocation(client, res.headers.get('location'), what)
      report?.(start + piece.length, total)
    }
    const closed = await client.request('PUT', withDigest(location, digest), {
      repo,
      push: true,
      headers: { 'content-length': '0' },
      expect: [201],
      what,
    })
    await closed.body?.cancel()
    checkDigest(closed.headers.get('docker-content-digest'), digest, what)
    return
  }

  const closed = await client.request('PUT', withDigest(location, digest), {
    repo,
    push: true,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(total) },
    body: () => (report === undefined ? bytes : progressStream(bytes, report)),
    expect: [201],
    what,
  })
  await closed.body?.cancel()
  checkDigest(closed.headers.get('docker-content-digest'), digest, what)
}

async function nextLocation(client: RegistryClient, location: string | null, what: string): Promise<string> {
  if (location === null) throw new WasmgateError('WG_ERR_OCI_REGISTRY', [client.registry, 'no Location header', what])
  return client.resolveLocation(location)
}

/** Appends `digest=` keeping the registry's own query (distribution's signed `_state`). */
function withDigest(location: string, digest: string): string {
  const url = new URL(location)
  url.searchParams.set('digest', digest)
  return url.href
}

function checkDigest(claimed: string | null, digest: string, what: string): void {
  if (claimed !== null && claimed !== digest) throw new WasmgateError('WG_ERR_OCI_DIGEST_MISMATCH', [what, claimed, digest])
}

/** The bytes as a stream of small pieces, so a progress bar moves as the socket drains. */
function progressStream(bytes: Buffer, report: UploadProgress): ReadableStream<Uint8Array> {
  let offset = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close()
        return
      }
      const end = Math.min(bytes.length, offset + STREAM_PIECE_BYTES)
      controller.enqueue(bytes.subarray(offset, end))
      offset = end
      report(offset, bytes.length)
    },
  })
}
