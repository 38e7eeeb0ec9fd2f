import { describe, expect, it } from 'vitest'
import { isWasmgateError } from '../../../host/errors.ts'
import { formatReference, isLoopbackHost, manifestReference, parseReference } from '../../../host/oci/reference.ts'

const D = `sha256:${'ab'.repeat(32)}`

describe('parseReference', () => {
  it.each([
    ['localhost:5000/filters/auth:v1', { registry: 'localhost:5000', repository: 'filters/auth', tag: 'v1', digest: undefined }],
    ['oci://ghcr.example/org/filter:1.2.3', { registry: 'ghcr.example', repository: 'org/filter', tag: '1.2.3', digest: undefined }],
    [`127.0.0.1:5055/a/b@${D}`, { registry: '127.0.0.1:5055', repository: 'a/b', tag: undefined, digest: D }],
    [`reg.example/a:t@${D}`, { registry: 'reg.example', repository: 'a', tag: 't', digest: D }],
    ['reg.example/a', { registry: 'reg.example', repository: 'a', tag: 'latest', digest: undefined }],
    ['localhost/x', { registry: 'localhost', repository: 'x', tag: 'latest', digest: undefined }],
    ['[::1]:5000/x:y', { registry: '[::1]:5000', repository: 'x', tag: 'y', digest: undefined }],
  ])('parses %s', (input, expected) => {
    expect(parseReference(input)).toMatchObject(expected)
  })

  it.each([
    ['', 'empty'],
    ['envoy', 'no registry host'],
    ['user/filter:v1', 'short name with no registry host'],
    ['https://reg.example/a:v1', 'scheme'],
    ['reg.example/Upper:v1', 'uppercase repo'],
    ['reg.example/a:bad tag', 'tag with space'],
    ['reg.example/a@sha256:abc', 'short digest'],
    [`reg.example/a@sha512:${'a'.repeat(128)}`, 'other algorithm'],
    ['reg.example/a//b', 'empty component'],
    [`reg.example/a:${'t'.repeat(129)}`, 'long tag'],
  ])('refuses %j (%s) with WG_ERR_OCI_REFERENCE', (input) => {
    try {
      parseReference(input)
      expect.unreachable()
    } catch (err) {
      expect(isWasmgateError(err, 'WG_ERR_OCI_REFERENCE')).toBe(true)
    }
  })

  it('round-trips through formatReference and prefers the digest for manifest requests', () => {
    const ref = parseReference(`oci://reg.example:443/a/b:v1@${D}`)
    expect(formatReference(ref)).toBe(`reg.example:443/a/b:v1@${D}`)
    expect(manifestReference(ref)).toBe(D)
    expect(manifestReference(parseReference('reg.example/a/b:v1'))).toBe('v1')
  })

  it('knows which hosts are loopback', () => {
    expect(isLoopbackHost('localhost:5000')).toBe(true)
    expect(isLoopbackHost('127.0.0.1:1')).toBe(true)
    expect(isLoopbackHost('[::1]:5000')).toBe(true)
    expect(isLoopbackHost('reg.example')).toBe(false)
    expect(isLoopbackHost('127.0.0.1.nip.example')).toBe(false)
    expect(isLoopbackHost('127.1:5000')).toBe(true) // what fetch would connect to
    expect(isLoopbackHost('[::ffff:10.0.0.1]:5000')).toBe(false)
    expect(isLoopbackHost('bad host')).toBe(false)
  })
})
