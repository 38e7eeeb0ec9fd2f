import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { errorCodes, WasmgateError, isWasmgateError, type ErrorCode } from '../../host/errors.ts'

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
const documented = new Set([...doc.matchAll(/`(WG_ERR_[A-Z0-9_]+)`/g)].map((m) => m[1] as string))

describe('error table', () => {
  it('documents every code in docs/errors.md', () => {
    const missing = Object.keys(errorCodes).filter((c) => !documented.has(c))
    expect(missing).toEqual([])
  })

  it('documents no code that no longer exists', () => {
    const stale = [...documented].filter((c) => !(c in errorCodes))
    expect(stale).toEqual([])
  })

  it('names every code WG_ERR_<AREA>_<WHAT> with a known area', () => {
    const areas = 'CONFIG|WASM|VM|FILTER|ABI|UPSTREAM|REQUEST|OCI|ADMIN|CLI|SERVER'
    for (const code of Object.keys(errorCodes)) expect(code).toMatch(new RegExp(`^WG_ERR_(${areas})_[A-Z0-9_]+$`))
  })

  it('builds errors with code, formatted message, hint and status', () => {
    for (const code of Object.keys(errorCodes) as ErrorCode[]) {
      const err = new WasmgateError(code, ['a', 'b', 'c'])
      expect(err.code).toBe(code)
      expect(err.message).not.toContain('%s')
      expect(err.hint.length).toBeGreaterThan(0)
      expect(isWasmgateError(err, code)).toBe(true)
      if (err.httpStatus !== undefined) expect(err.httpStatus).toBeGreaterThanOrEqual(400)
    }
  })

  it('recognises an error branded by another copy of the module', () => {
    const foreign = Object.assign(new Error('x'), { code: 'WG_ERR_CLI_USAGE' })
    Object.defineProperty(foreign, Symbol.for('wasmgate.error'), { value: true })
    expect(foreign instanceof WasmgateError).toBe(true)
    expect(new Error('plain') instanceof WasmgateError).toBe(false)
  })
})
