import { describe, expect, it } from 'vitest'
import { normalizePath, normalizeRequestTarget } from '../../../host/server/path-normalize.ts'

const merge = { mergeSlashes: true }
const keep = { mergeSlashes: false }

describe('request path normalization', () => {
  it.each([
    ['/admin', '/admin'],
    ['/./admin', '/admin'],
    ['/x/../admin', '/admin'],
    ['/../../admin', '/admin'],
    ['/%2e%2e/admin', '/admin'],
    ['/%2E/admin', '/admin'],
    ['/%61dmin', '/admin'],
    ['/a/b/..', '/a/'],
    ['/a/.', '/a/'],
    ['/..', '/'],
    ['/a%2fb', '/a%2Fb'],
    ['/caf%c3%a9', '/caf%C3%A9'],
    ['/50%', '/50%'],
    ['/%zz/x', '/%zz/x'],
    ['\\admin', '\\admin'], // not a path (no leading slash): left alone
    ['/a\\..\\admin', '/admin'],
    ['/~user/%7Euser', '/~user/~user'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeRequestTarget(input, merge)).toBe(expected)
  })

  it('merges slashes only when asked', () => {
    expect(normalizeRequestTarget('//admin//x/', merge)).toBe('/admin/x/')
    expect(normalizeRequestTarget('//admin//x/', keep)).toBe('//admin//x/')
    // Dot segments first, then merging, as Envoy does.
    expect(normalizePath('/a//../b', false)).toBe('/a/b')
    expect(normalizePath('/a//../b', true)).toBe('/a/b')
  })

  it('leaves the query string and non-path targets alone', () => {
    expect(normalizeRequestTarget('/a/../b?next=/x/../y&p=%2e', merge)).toBe('/b?next=/x/../y&p=%2e')
    expect(normalizeRequestTarget('*', merge)).toBe('*')
    expect(normalizeRequestTarget('http://h/a/../b', merge)).toBe('http://h/a/../b')
  })

  it('returns the very same string when there is nothing to do', () => {
    const target = '/api/v1/users?id=3'
    expect(normalizeRequestTarget(target, merge)).toBe(target)
  })
})
