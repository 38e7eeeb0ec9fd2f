/**
 * @module
 * One attempt of a request to one endpoint, as an undici dispatch handler (the callback API:
 * no promise, no intermediate stream, ~26 µs per request cheaper than `request()`), and the one
 * place where undici failures become wasmgate error codes.
 *
 * The attempt forwards undici's callbacks to its owner (a ProxyStream) until it is cancelled;
 * callbacks of a cancelled attempt (a retried one) are dropped.
 *
 * undici checks its headers timeout on a coarse clock (ticks of about half a second), so a
 * 100 ms timeout fired after a full second. Timeouts under PRECISE_TIMEOUT_BELOW_MS get a timer
 * of their own instead; longer ones keep undici's (at most a second late on 10 s or more, and
 * no timer per request).
 */
import type { Duplex } from 'node:stream'
import { WasmgateError } from '../errors.ts'
import type { FailureKind } from './cluster.ts'
import type { Endpoint } from './endpoint.ts'

export interface AttemptOwner {
  /** Return false to pause the upstream (backpressure); call `resume` to continue. */
  onAttemptHeaders(attempt: UpstreamAttempt, status: number, rawHeaders: Buffer[], resume: () => void): boolean
  onAttemptData(attempt: UpstreamAttempt, chunk: Buffer): boolean
  onAttemptEnd(attempt: UpstreamAttempt, rawTrailers: Buffer[] | null): void
  onAttemptError(attempt: UpstreamAttempt, err: WasmgateError, kind: FailureKind | undefined): void
  onAttemptUpgrade(attempt: UpstreamAttempt, status: number, rawHeaders: Buffer[], socket: Duplex): void
  onAttemptBodySent(chunk: Uint8Array | string): void
}

export const PRECISE_TIMEOUT_BELOW_MS = 10_000

export class UpstreamAttempt {
  readonly owner: AttemptOwner
  readonly endpoint: Endpoint
  /** Timeout of this attempt's response headers (for the error message). */
  readonly timeoutMs: number
  /** Upstream status once headers arrived. */
  status = 0
  isCancelled = false
  /** Set by the owner once the cluster slot is returned. */
  isReleased = false
  #connected = false
  #abort: ((err?: Error) => void) | undefined
  #timer: NodeJS.Timeout | undefined = undefined

  constructor(owner: AttemptOwner, endpoint: Endpoint, timeoutMs: number) {
    this.owner = owner
    this.endpoint = endpoint
    this.timeoutMs = timeoutMs
    if (timeoutMs > 0 && timeoutMs < PRECISE_TIMEOUT_BELOW_MS) this.#timer = setTimeout(this.#onTimeout, timeoutMs)
  }

  /** The headers timeout to hand undici: none when this attempt keeps its own timer. */
  get undiciHeadersTimeout(): number {
    return this.#timer === undefined ? this.timeoutMs : 0
  }

  /** Stops this attempt; no further callback reaches the owner. */
  cancel(): void {
    if (this.isCancelled) return
    this.isCancelled = true
    this.#clearTimer()
    this.#abort?.()
  }

  readonly #onTimeout = (): void => {
    this.#timer = undefined
    if (this.isCancelled) return
    this.isCancelled = true
    this.#abort?.() // not connected yet: onConnect aborts it
    this.owner.onAttemptError(this, new WasmgateError('WG_ERR_UPSTREAM_TIMEOUT', [this.endpoint.url, this.timeoutMs]), 'timeout')
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  // undici handler callbacks

  onConnect(abort: (err?: Error) => void): void {
    this.#connected = true
    this.#abort = abort
    if (this.isCancelled) abort()
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    // 1xx informational answers (103 Early Hints) are not forwarded; the final one follows.
    if (this.isCancelled || statusCode < 200) return true
    this.#clearTimer()
    this.status = statusCode
    return this.owner.onAttemptHeaders(this, statusCode, rawHeaders, resume)
  }

  onData(chunk: Buffer): boolean {
    if (this.isCancelled) return true
    return this.owner.onAttemptData(this, chunk)
  }

  onComplete(rawTrailers: Buffer[] | null): void {
    if (this.isCancelled) return
    this.isCancelled = true
    this.#clearTimer()
    this.owner.onAttemptEnd(this, rawTrailers)
  }

  onError(err: Error): void {
    if (this.isCancelled) return
    this.isCancelled = true
    this.#clearTimer()
    const [wgErr, kind] = toUpstreamError(err, this.endpoint.url, code(err) === 'UND_ERR_CONNECT_TIMEOUT' ? this.endpoint.connectTimeoutMs : this.timeoutMs, this.#connected)
    this.owner.onAttemptError(this, wgErr, kind)
  }

  onUpgrade(statusCode: number, rawHeaders: Buffer[], socket: Duplex): void {
    if (this.isCancelled) {
      socket.destroy()
      return
    }
    this.isCancelled = true
    this.#clearTimer()
    this.status = statusCode
    this.owner.onAttemptUpgrade(this, statusCode, rawHeaders, socket)
  }

  onBodySent(chunk: Uint8Array | string): void {
    if (!this.isCancelled) this.owner.onAttemptBodySent(chunk)
  }

  onResponseStarted(): void {}
}

const connectCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ERR_TLS_CERT_ALTNAME_INVALID', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_HAS_EXPIRED', 'SELF_SIGNED_CERT_IN_CHAIN'])

/**
 * undici failure → wasmgate error and retry kind. `connected` tells a failure before the request
 * reached a socket (connect failure) from one after (reset): undici calls onConnect only once
 * the request is bound to an established connection.
 */
export function toUpstreamError(err: Error, endpoint: string, timeoutMs: number, connected: boolean): [WasmgateError, FailureKind | undefined] {
  const code = (err as { code?: string }).code ?? ''
  const reason = code === '' ? err.message : `${code} ${err.message}`
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return [new WasmgateError('WG_ERR_UPSTREAM_TIMEOUT', [endpoint, timeoutMs], { cause: err }), 'connect-failure']
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return [new WasmgateError('WG_ERR_UPSTREAM_TIMEOUT', [endpoint, timeoutMs], { cause: err }), 'timeout']
  if (code === 'UND_ERR_BODY_TIMEOUT') return [new WasmgateError('WG_ERR_UPSTREAM_TIMEOUT', [endpoint, timeoutMs], { cause: err }), 'timeout']
  if (code.startsWith('HPE_') || code === 'UND_ERR_HEADERS_OVERFLOW' || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') {
    return [new WasmgateError('WG_ERR_UPSTREAM_PROTOCOL', [endpoint, reason], { cause: err }), 'reset']
  }
  if (!connected && connectCodes.has(code)) return [new WasmgateError('WG_ERR_UPSTREAM_CONNECT', [endpoint, reason], { cause: err }), 'connect-failure']
  if (!connected && code !== 'UND_ERR_ABORTED' && code !== 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH') {
    return [new WasmgateError('WG_ERR_UPSTREAM_CONNECT', [endpoint, reason], { cause: err }), 'connect-failure']
  }
  return [new WasmgateError('WG_ERR_UPSTREAM_RESET', [endpoint, reason], { cause: err }), code === 'UND_ERR_ABORTED' ? undefined : 'reset']
}

function code(err: Error): string {
  return (err as { code?: string }).code ?? ''
}
