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

const str = (s: string | undefined): Uint8Array | undefined => (s === undefined ? undefined : Buffer.from(s, 'utf8'))
const i64 = (n: number | bigint): Uint8Array => {
  const b = Buffer.alloc(8)
  b.writeBigInt64LE(BigInt(n))
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
 * paths are matched on the raw string, so a lookup allocates nothing but its result.
 */
export function resolveProperty(raw: string, plugin: PluginIdentity, stream: PropertyStream | undefined): Uint8Array | Status {
  const v = lookup(raw, plugin, stream)
  if (v !== undefined) return v
  return stream?.storedProperty(raw) ?? Status.NotFound
}

function lookup(raw: string, plugin: PluginIdentity, stream: PropertyStream | undefined): Uint8Array | undefined {
  switch (raw) {
    case 'plugin_name':
      return str(plugin.name)
    case 'plugin_root_id':
      return str(plugin.rootId)
    case 'plugin_vm_id':
      return str(plugin.vmId)
  }
  if (raw.startsWith('node') || raw.startsWith('xds\0') || raw === 'cluster_name' || raw === 'route_name' || raw === 'listener_direction') {
    const path = raw.split('\0')
    if (path[0] === 'node') return nodeField(path[1])
    return xds(path[0] === 'xds' ? path.slice(1) : path, stream?.info)
  }
  if (stream === undefined) return undefined
  const info = stream.info
  const req = stream.requestHeaders
  switch (raw) {
    case 'connection_id':
      return i64(info.connectionId)
    case 'request\0path':
      return str(req?.get(':path'))
    case 'request\0url_path': {
      const p = req?.get(':path')
      return p === undefined ? undefined : str(p.split('?')[0])
    }
    case 'request\0query': {
      const p = req?.get(':path')
      if (p === undefined) return undefined
      const q = p.indexOf('?')
      return str(q < 0 ? '' : p.slice(q + 1))
    }
    case 'request\0host':
      return str(req?.get(':authority'))
    case 'request\0scheme':
      return str(req?.get(':scheme'))
    case 'request\0method':
      return str(req?.get(':method'))
    case 'request\0headers':
      return headerMapValue(req)
    case 'request\0referer':
      return joinedHeader(req, 'referer')
    case 'request\0useragent':
      return joinedHeader(req, 'user-agent')
    case 'request\0id':
      return str(req?.get('x-request-id') ?? info.requestId)
    case 'request\0protocol':
      return str(info.protocol)
    case 'request\0time':
      return i64(BigInt(info.startTimeMs) * 1_000_000n)
    case 'request\0duration':
      return i64(BigInt(Math.max(0, Date.now() - info.startTimeMs)) * 1_000_000n)
    case 'request\0size':
      return i64(info.requestBodyBytes)
    case 'request\0headers_bytes':
      return req && i64(req.byteSize())
    case 'request\0total_size':
      return i64((req?.byteSize() ?? 0) + info.requestBodyBytes)
    case 'response\0code':
      return info.responseCode > 0 ? i64(info.responseCode) : undefined
    case 'response\0code_details':
      return info.responseCode > 0 ? str('via_upstream') : undefined
    case 'response\0flags':
      return i64(0)
    case 'response\0grpc_status':
      return undefined
    case 'response\0headers':
      return headerMapValue(stream.responseHeaders)
    case 'response\0trailers':
      return headerMapValue(stream.responseTrailers)
    case 'response\0size':
      return i64(info.responseBodyBytes)
    case 'response\0headers_bytes':
      return stream.responseHeaders && i64(stream.responseHeaders.byteSize())
    case 'response\0total_size':
      return i64((stream.responseHeaders?.byteSize() ?? 0) + info.responseBodyBytes)
    case 'source\0address':
      return str(`${info.sourceAddress}:${info.sourcePort}`)
    case 'source\0port':
      return i64(info.sourcePort)
    case 'destination\0address':
      return str(`${info.destinationAddress}:${info.destinationPort}`)
    case 'destination\0port':
      return i64(info.destinationPort)
    case 'connection\0id':
      return i64(info.connectionId)
    case 'connection\0mtls':
      return bool(false)
    case 'connection\0tls_version':
      return info.isTls ? str(info.tlsVersion ?? '') : undefined
    case 'connection\0requested_server_name':
      return str(info.requestedServerName ?? '')
    case 'upstream\0address':
      return str(info.upstreamAddress)
    case 'upstream\0port': {
      const port = info.upstreamAddress?.split(':').pop()
      return port === undefined ? undefined : i64(Number(port))
    }
  }
  if (raw.startsWith('request\0headers\0')) return joinedHeader(req, raw.slice(16))
  if (raw.startsWith('response\0headers\0')) return joinedHeader(stream.responseHeaders, raw.slice(17))
  if (raw.startsWith('response\0trailers\0')) return joinedHeader(stream.responseTrailers, raw.slice(18))
  return undefined
}

function nodeField(field: string | undefined): Uint8Array | undefined {
  if (field === undefined) return nodeProto(NODE_ID, NODE_CLUSTER)
  if (field === 'id') return str(NODE_ID)
  if (field === 'cluster') return str(NODE_CLUSTER)
  if (field === 'metadata') return encodePairs([])
  return undefined
}

function xds(path: readonly string[], info: StreamInfo | undefined): Uint8Array | undefined {
  const [name, sub] = path
  switch (name) {
    case 'node':
      return nodeField(sub)
    case 'cluster_name':
      return info?.clusterName === undefined ? undefined : str(info.clusterName)
    case 'route_name':
      return info === undefined ? undefined : str(info.routeName)
    case 'listener_direction':
      return i64(0) // UNSPECIFIED: wasmgate listeners have no direction
    case 'filter_chain_name':
      return str('')
  }
  return undefined
}

export { encodeList }
