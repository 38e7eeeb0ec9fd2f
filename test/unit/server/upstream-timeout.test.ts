// Short response-headers timeouts are timed by the attempt itself: undici's own timer ticks
// every ~0.5 s and fired a 100 ms timeout after a full second. Fake timers, no real waiting.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { WasmgateError } from '../../../host/errors.ts'
import type { Endpoint } from '../../../host/server/endpoint.ts'
import { PRECISE_TIMEOUT_BELOW_MS, UpstreamAttempt, type AttemptOwner } from '../../../host/server/upstream.ts'

const endpoint = { url: 'http://127.0.0.1:1', connectTimeoutMs: 1000 } as unknown as Endpoint

function owner() {
  const errors: Array<{ code: string; kind: string | undefined }> = []
  const o = {
    onAttemptError: (_a: UpstreamAttempt, err: WasmgateError, kind: string | undefined) => void errors.push({ code: err.code, kind }),
  } as unknown as AttemptOwner
  return { o, errors }
}

describe('UpstreamAttempt timeouts', () => {
  beforeEach(() => void vi.useFakeTimers())
  afterEach(() => void vi.useRealTimers())

  it('fails a short timeout on time with WG_ERR_UPSTREAM_TIMEOUT and aborts the request', () => {
    const { o, errors } = owner()
    const attempt = new UpstreamAttempt(o, endpoint, 100)
    expect(attempt.undiciHeadersTimeout).toBe(0)
    const abort = vi.fn()
    attempt.onConnect(abort)
    vi.advanceTimersByTime(99)
    expect(errors).toEqual([])
    vi.advanceTimersByTime(1)
    expect(errors).toEqual([{ code: 'WG_ERR_UPSTREAM_TIMEOUT', kind: 'timeout' }])
    expect(abort).toHaveBeenCalledOnce()
    // undici's error for the abort that follows is dropped: one failure only.
    attempt.onError(new Error('aborted'))
    expect(errors).toHaveLength(1)
  })

  it('stops its timer once response headers arrive, and leaves long timeouts to undici', () => {
    const { o, errors } = owner()
    const attempt = new UpstreamAttempt({ ...o, onAttemptHeaders: () => true } as AttemptOwner, endpoint, 100)
    attempt.onHeaders(200, [], () => {})
    vi.advanceTimersByTime(1000)
    expect(errors).toEqual([])
    const long = new UpstreamAttempt(o, endpoint, PRECISE_TIMEOUT_BELOW_MS)
    expect(long.undiciHeadersTimeout).toBe(PRECISE_TIMEOUT_BELOW_MS)
  })

  it('aborts at connect an attempt that timed out while queued', () => {
    const { o, errors } = owner()
    const attempt = new UpstreamAttempt(o, endpoint, 50)
    vi.advanceTimersByTime(50)
    expect(errors).toHaveLength(1)
    const abort = vi.fn()
    attempt.onConnect(abort)
    expect(abort).toHaveBeenCalledOnce()
  })
})
