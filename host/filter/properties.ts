/**
 * @module
 * proxy_get_property: Envoy attribute paths with Envoy's binary encodings (strings raw; int64,
 * uint64 and timestamps as 8 bytes little-endian; bools as 1 byte; maps and lists in the pair
 * format). Both `xds.*` and the older top-level names are accepted. Values set with
 * proxy_set_property live per stream and are found when no attribute matches (Envoy's
 * "wasm." filter-state fallback).
 */
import { Status } from '../abi/constants.ts'
import { encodeList, encodePairs } from '../abi/pairs.ts'
import type { StreamInfo } from './contract.ts'
import type { HeaderMap } from './header-map.ts'

export interface PluginIdentity {
  readonly name: string
  readonly rootId: string
  readonly vmId: string
}

/** What a property lookup can see of a stream (FilterStreamImpl); absent on a root context. */
export interface PropertyStream {
  readonly info: StreamInfo
  readonly requestHeaders: HeaderMap | undefined
  readonly responseHeaders: HeaderMap | undefined
  readonly responseTrailers: HeaderMap | undefined
  /** A value stored with proxy_set_property, by its raw NUL-separated path. */
  storedProperty(rawPath: string): Uint8Array | undefined
}

/** A property value: bytes, or text the hostcall writes into guest memory as UTF-8 (no copy here). */
export type PropertyValue = Uint8Array | string

/**
 * 8 bytes little-endian of a safe integer. Written byte by byte: a DataView over the array would
 * make V8 move its small on-heap buffer off the heap, which cost more than the rest of a lookup.
 */
function i64(n: number): Uint8Array {
  const hi = Math.floor(n / 4294967296)
  const lo = n - hi * 4294967296
  const b = new Uint8Array(8)
  b[0] = lo
  b[1] = lo >>> 8
  b[2] = lo >>> 16
  b[3] = lo >>> 24
  b[4] = hi
  b[5] = hi >>> 8
  b[6] = hi >>> 16
  b[7] = hi >>> 24
  return b
}

/** request.time: nanoseconds since the epoch pass 2^53, so this one goes through a BigInt. */
function i64Big(n: bigint): Uint8Array {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigInt64(0, n, true)
  return b
}
const bool = (v: boolean): Uint8Array => Uint8Array.of(v ? 1 : 0)

/** Envoy's map encoding of a header map: lowercased names, repeated values comma-joined. */
function headerMapValue(map: HeaderMap | undefined): Uint8Array | undefined {
  if (map === undefined) return undefined
  const obj = map.toObject()
  const flat: string[] = []
  for (const k of Object.keys(obj)) flat.push(k, obj[k] as string)
  return encodePairs(flat)
}

function joinedHeader(map: HeaderMap | undefined, name: string | undefined): Uint8Array | undefined {
  if (map === undefined || name === undefined) return undefined
  const all = map.getAll(name.toLowerCase())
  return all.length === 0 ? undefined : Buffer.from(all.join(', '), 'latin1')
}

/** A minimal envoy.config.core.v3.Node: id (1) and cluster (2), protobuf wire format. */
function nodeProto(id: string, cluster: string): Uint8Array {
  const field = (tag: number, s: string) => {
    const b = Buffer.from(s, 'utf8')
    return Buffer.concat([Uint8Array.of(tag, b.length), b])
  }
  return Buffer.concat([field(0x0a, id), field(0x12, cluster)])
}

const NODE_ID = 'wasmgate'
const NODE_CLUSTER = 'wasmgate'

/**
 * Resolves a raw property path (segments joined by NUL, as it crossed the ABI). The common
 * paths are one table lookup on the raw string, so a lookup allocates nothing but its result
 * (and text results are written straight into guest memory by the hostcall).
 */
export function resolveProperty(raw: string, plugin: PluginIdentity, stream: PropertyStream | undefined): PropertyValue | Status {
  const v = lookup(raw, plugin, stream)
  if (v !== undefined) return v
  return stream?.storedProperty(raw) ?? Status.NotFound
}

type StreamAttribute = (info: StreamInfo, stream: PropertyStream) => PropertyValue | undefined

/** Envoy attributes of a stream, by raw path. */
const STREAM_ATTRIBUTES = new Map<string, StreamAttribute>([
  ['connection_id', (info) => i64(info.connectionId)],
  // Telemetry reads the route on every request: these skip the path split of the xds lookup below.
  ['route_name', (info) => info.routeName],
  ['xds\0route_name', (info) => info.routeName],
  ['cluster_name', (info) => info.clusterName],
  ['xds\0cluster_name', (info) => info.clusterName],
  ['request\0path', (_, s) => s.requestHeaders?.get(':path')],
  ['request\0url_path', (_, s) => s.requestHeaders?.get(':path')?.split('?')[0]],
  [
    'request\0query',
    (_, s) => {
      const p = s.requestHeaders?.get(':path')
      if (p === undefined) return undefined
      const q = p.indexOf('?')
      return q < 0 ? '' : p.slice(q + 1)
    },
  ],
  ['request\0host', (_, s) => s.requestHeaders?.get(':authority')],
  ['request\0scheme', (_, s) => s.requestHeaders?.get(':scheme')],
  ['request\0method', (_, s) => s.requestHeaders?.get(':method')],
  ['request\0headers', (_, s) => headerMapValue(s.requestHeaders)],
  ['request\0referer', (_, s) => joinedHeader(s.requestHeaders, 'referer')],
  ['request\0useragent', (_, s) => joinedHeader(s.requestHeaders, 'user-agent')],
  ['request\0id', (info, s) => s.requestHeaders?.get('x-request-id') ?? info.requestId],
  ['request\0protocol', (info) => info.protocol],
  ['request\0time', (info) => i64Big(BigInt(info.startTimeMs) * 1_000_000n)],
  ['request\0duration', (info) => i64(Math.max(0, Math.round((performance.now() - info.startMonotonicMs) * 1e6)))],
  ['request\0size', (info) => i64(info.requestBodyBytes)],
  ['request\0headers_bytes', (_, s) => s.requestHeaders && i64(s.requestHeaders.byteSize())],
  ['request\0total_size', (info, s) => i64((s.requestHeaders?.byteSize() ?? 0) + info.requestBodyBytes)],
  ['response\0code', (info) => (info.responseCode > 0 ? i64(info.responseCode) : undefined)],
  ['response\0code_details', (info) => (info.responseCode > 0 ? 'via_upstream' : undefined)],
  ['response\0flags', () => i64(0)],
  ['response\0grpc_status', () => undefined],
  ['response\0headers', (_, s) => headerMapValue(s.responseHeaders)],
  ['response\0trailers', (_, s) => headerMapValue(s.responseTrailers)],
  ['response\0size', (info) => i64(info.responseBodyBytes)],
  ['response\0headers_bytes', (_, s) => s.responseHeaders && i64(s.responseHeaders.byteSize())],
  ['response\0total_size', (info, s) => i64((s.responseHeaders?.byteSize() ?? 0) + info.responseBodyBytes)],
  ['source\0address', (info) => `${info.sourceAddress}:${info.sourcePort}`],
  ['source\0port', (info) => i64(info.sourcePort)],
  ['destination\0address', (info) => `${info.destinationAddress}:${info.destinationPort}`],
  ['destination\0port', (info) => i64(info.destinationPort)],
  ['connection\0id', (info) => i64(info.connectionId)],
  ['connection\0mtls', () => bool(false)],
  ['connection\0tls_version', (info) => (info.isTls ? (info.tlsVersion ?? '') : undefined)],
  ['connection\0requested_server_name', (info) => info.requestedServerName ?? ''],
  ['upstream\0address', (info) => info.upstreamAddress],
  [
    'upstream\0port',
    (info) => {
      const port = info.upstreamAddress?.split(':').pop()
      return port === undefined ? undefined : i64(Number(port))
    },
  ],
])

function lookup(raw: string, plugin: PluginIdentity, stream: PropertyStream | undefined): PropertyValue | undefined {
  if (stream !== undefined) {
    const attribute = STREAM_ATTRIBUTES.get(raw)
    if (attribute !== undefined) return attribute(stream.info, stream)
  }
  switch (raw) {
    case 'plugin_name':
      return plugin.name
    case 'plugin_root_id':
      return plugin.rootId
    case 'plugin_vm_id':
      return plugin.vmId
  }
  if (raw.startsWith('node') || raw.startsWith('xds\0') || raw === 'cluster_name' || raw === 'route_name' || raw === 'listener_direction') {
    const path = raw.split('\0')
    if (path[0] === 'node') return nodeField(path[1])
    return xds(path[0] === 'xds' ? path.slice(1) : path, stream?.info)
  }
  if (stream === undefined) return undefined
  if (raw.startsWith('request\0headers\0')) return joinedHeader(stream.requestHeaders, raw.slice(16))
  if (raw.startsWith('response\0headers\0')) return joinedHeader(stream.responseHeaders, raw.slice(17))
  if (raw.startsWith('response\0trailers\0')) return joinedHeader(stream.responseTrailers, raw.slice(18))
  return undefined
}

function nodeField(field: string | undefined): PropertyValue | undefined {
  if (field === undefined) return nodeProto(NODE_ID, NODE_CLUSTER)
  if (field === 'id') return NODE_ID
  if (field === 'cluster') return NODE_CLUSTER
  if (field === 'metadata') return encodePairs([])
  return undefined
}

function xds(path: readonly string[], info: StreamInfo | undefined): PropertyValue | undefined {
  const [name, sub] = path
  switch (name) {
    case 'node':
      return nodeField(sub)
    case 'cluster_name':
      return info?.clusterName === undefined ? undefined : info.clusterName
    case 'route_name':
      return info === undefined ? undefined : info.routeName
    case 'listener_direction':
      return i64(0) // UNSPECIFIED: wasmgate listeners have no direction
    case 'filter_chain_name':
      return ''
  }
  return undefined
}

export { encodeList }
