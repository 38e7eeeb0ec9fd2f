import { describe, expect, it } from 'vitest'
import { parseChallenges } from '../../../host/oci/challenge.ts'

describe('parseChallenges', () => {
  it('reads a Bearer challenge whose scope holds commas', () => {
    const header = 'Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull,push",error="insufficient_scope"'
    expect(parseChallenges(header)).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry', scope: 'repository:a/b:pull,push', error: 'insufficient_scope' } },
    ])
  })

  it('reads Basic, unquoted values, escapes, and several challenges in one header', () => {
    expect(parseChallenges('Basic realm="a \\"q\\" b", Bearer realm=https://t.example/x,service=s')).toEqual([
      { scheme: 'basic', params: { realm: 'a "q" b' } },
      { scheme: 'bearer', params: { realm: 'https://t.example/x', service: 's' } },
    ])
  })

  it('returns nothing for an empty header and never throws on junk', () => {
    expect(parseChallenges(null)).toEqual([])
    expect(parseChallenges('')).toEqual([])
    for (const junk of ['"', '=', ',,,', 'Bearer realm="unterminated', '=== ,"x"', '\u0000\u00ff']) {
      expect(() => parseChallenges(junk)).not.toThrow()
    }
  })
})
