import { describe, expect, it } from 'vitest'
import type { StreamInfo } from '../../../host/filter/contract.ts'
import { HeaderMap } from '../../../host/filter/header-map.ts'
import { resolveProperty, type PropertyStream } from '../../../host/filter/properties.ts'

const plugin = { name: 'p', rootId: 'r', vmId: 'v' }

function streamWith(info: Partial<StreamInfo>): PropertyStream {
  const full = {
    requestId: 'id', connectionId: 7, startTimeMs: 1_763_800_000_123, startMonotonicMs: performance.now(), protocol: 'HTTP/1.1',
    sourceAddress: '127.0.0.1', sourcePort: 40000, destinationAddress: '127.0.0.1', destinationPort: 8080, isTls: false,
    tlsVersion: undefined, requestedServerName: undefined, routeName: 'api', clusterName: 'backend', responseCode: 200,
    requestBodyBytes: 0, responseBodyBytes: 0, upstreamAddress: undefined, ...info,
  } as StreamInfo
  return {
    info: full,
    requestHeaders: new HeaderMap([':path', '/x?y=1']),
    responseHeaders: undefined,
    responseTrailers: undefined,
    storedProperty: () => undefined,
  }
}

const int64 = (v: unknown): bigint => Buffer.from(v as Uint8Array).readBigInt64LE(0)

describe('resolveProperty integer encoding', () => {
  it('writes integers above 32 bits as 8 bytes little-endian', () => {
    const s = streamWith({ requestBodyBytes: 2 ** 40 + 5, responseBodyBytes: 2 ** 53 - 1 })
    expect(int64(resolveProperty('request\0size', plugin, s))).toBe(2n ** 40n + 5n)
    expect(int64(resolveProperty('response\0size', plugin, s))).toBe(2n ** 53n - 1n)
    expect(int64(resolveProperty('response\0code', plugin, s))).toBe(200n)
    expect(int64(resolveProperty('connection\0id', plugin, s))).toBe(7n)
  })

  it('gives request.time in nanoseconds past 2^53 exactly', () => {
    expect(int64(resolveProperty('request\0time', plugin, streamWith({})))).toBe(1_763_800_000_123n * 1_000_000n)
  })

  it('gives the route and cluster under both the short and the xds names', () => {
    const s = streamWith({})
    for (const path of ['route_name', 'xds\0route_name']) expect(resolveProperty(path, plugin, s)).toBe('api')
    for (const path of ['cluster_name', 'xds\0cluster_name']) expect(resolveProperty(path, plugin, s)).toBe('backend')
  })
})
