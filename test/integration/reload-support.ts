/**
 * @module
 * Shared by the hot reload tests: the reload-version fixture (every response names the instance
 * that served it), module variants with other digests, and a client for PUT/GET /filters.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { onTestFinished } from 'vitest'
import { customSection } from '../helpers/tiny-wasm.ts'

export const VERSION_WASM = fileURLToPath(new URL('../fixtures/filters/reload-version/build/reload-version.wasm', import.meta.url))

export function versionWasm(): Buffer {
  return readFileSync(VERSION_WASM)
}

/** The same module with a custom section appended: same behaviour, another sha256. */
export function salted(bytes: Uint8Array, salt: string, padBytes = 0): Buffer {
  return Buffer.concat([bytes, customSection('wasmgate-test-salt', Buffer.concat([Buffer.from(salt), Buffer.alloc(padBytes, 0x5a)]))])
}

/** A temp directory removed when the test finishes. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wasmgate-reload-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

export function writeTemp(dir: string, name: string, bytes: Uint8Array | string): string {
  const file = join(dir, name)
  writeFileSync(file, bytes)
  return file
}

export interface AdminAnswer {
  readonly status: number
  readonly body: Record<string, unknown>
}

export async function putFilter(adminUrl: string, name: string, body: Uint8Array | Record<string, unknown>, query = ''): Promise<AdminAnswer> {
  const isModule = body instanceof Uint8Array
  const res = await request(`${adminUrl}/filters/${encodeURIComponent(name)}${query}`, {
    method: 'PUT',
    headers: { 'content-type': isModule ? 'application/wasm' : 'application/json' },
    body: isModule ? body : JSON.stringify(body),
  })
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> }
}

export async function getJson(url: string): Promise<AdminAnswer> {
  const res = await request(url)
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> }
}

export interface VersionedAnswer {
  readonly status: number
  /** x-version on the response (set by the filter in on_response_headers). */
  readonly responseVersion: string | undefined
  /** x-version the upstream saw (set in on_request_headers). */
  readonly requestVersion: string | undefined
  readonly headers: Record<string, string | string[] | undefined>
}

/** A request through the proxy to an echo upstream; both versions the filter wrote, if any. */
export async function versioned(url: string, headers: Record<string, string> = {}): Promise<VersionedAnswer> {
  const res = await request(`${url}/v`, { headers })
  const text = await res.body.text()
  let upstreamHeaders: Record<string, unknown> = {}
  try {
    upstreamHeaders = (JSON.parse(text) as { headers: Record<string, unknown> }).headers
  } catch {
    // a local reply, not the echo
  }
  const rv = res.headers['x-version']
  return {
    status: res.statusCode,
    responseVersion: Array.isArray(rv) ? rv.join(',') : rv,
    requestVersion: upstreamHeaders['x-version'] as string | undefined,
    headers: res.headers,
  }
}
