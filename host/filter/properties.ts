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

/** What a property lookup can see; the stream parts are absent on a root context. */
export interface PropertySource {
  readonly plugin: PluginIdentity
  readonly info: StreamInfo | undefined
  readonly requestHeaders: HeaderMap | undefined
  readonly responseHeaders: HeaderMap | undefined
  readonly responseTrailers: HeaderMap | undefined
  readonly setProperties: Map<string, Uint8Array> | undefined
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

export function resolveProperty(path: readonly string[], src: PropertySource): Uint8Array | Status {
  const v = lookup(path, src)
  if (v !== undefined) return v
  const stored = src.setProperties?.get(path.join('\0'))
  return stored ?? Status.NotFound
}

function lookup(path: readonly string[], src: PropertySource): Uint8Array | undefined {
  const [head, second, third] = path
  const info = src.info
  const req = src.requestHeaders
  switch (head) {
    case 'plugin_name':
      return str(src.plugin.name)
    case 'plugin_root_id':
      return str(src.plugin.rootId)
    case 'plugin_vm_id':
      return str(src.plugin.vmId)
    case 'node':
      return nodeField(second)
    case 'xds':
      return xds(path.slice(1), src)
    case 'cluster_name':
    case 'route_name':
    case 'listener_direction':
      return xds(path, src)
    case 'connection_id':
      return info && i64(info.connectionId)
  }
  if (info === undefined) return undefined
  const key = path.length === 2 ? `${head}.${second}` : undefined
  switch (key) {
    case 'request.path':
      return str(req?.get(':path'))
    case 'request.url_path': {
      const p = req?.get(':path')
      return p === undefined ? undefined : str(p.split('?')[0])
    }
    case 'request.query': {
      const p = req?.get(':path')
      if (p === undefined) return undefined
      const q = p.indexOf('?')
      return str(q < 0 ? '' : p.slice(q + 1))
    }
    case 'request.host':
      return str(req?.get(':authority'))
    case 'request.scheme':
      return str(req?.get(':scheme'))
    case 'request.method':
      return str(req?.get(':method'))
    case 'request.headers':
      return headerMapValue(req)
    case 'request.referer':
      return joinedHeader(req, 'referer')
    case 'request.useragent':
      return joinedHeader(req, 'user-agent')
    case 'request.id':
      return str(req?.get('x-request-id') ?? info.requestId)
    case 'request.protocol':
      return str(info.protocol)
    case 'request.time':
      return i64(BigInt(info.startTimeMs) * 1_000_000n)
    case 'request.duration':
      return i64(BigInt(Math.max(0, Date.now() - info.startTimeMs)) * 1_000_000n)
    case 'request.size':
      return i64(info.requestBodyBytes)
    case 'request.headers_bytes':
      return req && i64(req.byteSize())
    case 'request.total_size':
      return i64((req?.byteSize() ?? 0) + info.requestBodyBytes)
    case 'response.code':
      return info.responseCode > 0 ? i64(info.responseCode) : undefined
    case 'response.code_details':
      return info.responseCode > 0 ? str('via_upstream') : undefined
    case 'response.flags':
      return i64(0)
    case 'response.grpc_status':
      return undefined
    case 'response.headers':
      return headerMapValue(src.responseHeaders)
    case 'response.trailers':
      return headerMapValue(src.responseTrailers)
    case 'response.size':
      return i64(info.responseBodyBytes)
    case 'response.headers_bytes':
      return src.responseHeaders && i64(src.responseHeaders.byteSize())
    case 'response.total_size':
      return i64((src.responseHeaders?.byteSize() ?? 0) + info.responseBodyBytes)
    case 'source.address':
      return str(`${info.sourceAddress}:${info.sourcePort}`)
    case 'source.port':
      return i64(info.sourcePort)
    case 'destination.address':
      return str(`${info.destinationAddress}:${info.destinationPort}`)
    case 'destination.port':
      return i64(info.destinationPort)
    case 'connection.id':
      return i64(info.connectionId)
    case 'connection.mtls':
      return bool(false)
    case 'connection.tls_version':
      return info.isTls ? str(info.tlsVersion ?? '') : undefined
    case 'connection.requested_server_name':
      return str(info.requestedServerName ?? '')
    case 'upstream.address':
      return str(info.upstreamAddress)
    case 'upstream.port': {
      const port = info.upstreamAddress?.split(':').pop()
      return port === undefined ? undefined : i64(Number(port))
    }
  }
  if (head === 'request' && second === 'headers' && path.length === 3) return joinedHeader(req, third)
  if (head === 'response' && second === 'headers' && path.length === 3) return joinedHeader(src.responseHeaders, third)
  if (head === 'response' && second === 'trailers' && path.length === 3) return joinedHeader(src.responseTrailers, third)
  return undefined
}

function nodeField(field: string | undefined): Uint8Array | undefined {
  if (field === undefined) return nodeProto(NODE_ID, NODE_CLUSTER)
  if (field === 'id') return str(NODE_ID)
  if (field === 'cluster') return str(NODE_CLUSTER)
  if (field === 'metadata') return encodePairs([])
  return undefined
}

function xds(path: readonly string[], src: PropertySource): Uint8Array | undefined {
  const [name, sub] = path
  switch (name) {
    case 'node':
      return nodeField(sub)
    case 'cluster_name':
      return src.info?.clusterName === undefined ? undefined : str(src.info.clusterName)
    case 'route_name':
      return src.info === undefined ? undefined : str(src.info.routeName)
    case 'listener_direction':
      return i64(0) // UNSPECIFIED: wasmgate listeners have no direction
    case 'filter_chain_name':
      return str('')
  }
  return undefined
}

export { encodeList }
