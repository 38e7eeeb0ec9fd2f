/**
 * @module
 * The proxy-wasm ABI numbers (spec v0.2.1 "Types", plus the values cpp-host/cpp-sdk add).
 * sdk/assembly/abi/types.ts keeps the same numbers on the guest side; a unit test compares them.
 */

/** proxy_status_t (WasmResult). Only return codes SDKs know; see docs in hostcalls. */
export const Status = {
  Ok: 0,
  NotFound: 1,
  BadArgument: 2,
  SerializationFailure: 3,
  ParseFailure: 4,
  BadExpression: 5,
  InvalidMemoryAccess: 6,
  Empty: 7,
  CasMismatch: 8,
  ResultMismatch: 9,
  InternalFailure: 10,
  BrokenConnection: 11,
  Unimplemented: 12,
} as const
export type Status = (typeof Status)[keyof typeof Status]

/** proxy_action_t; header/body callbacks may return the wider Envoy values (see chain.ts). */
export const Action = {
  Continue: 0,
  Pause: 1,
} as const

/** Envoy's reading of a header callback's i32 result (cpp-host convertVmCallResultToFilterHeadersStatus). */
export const HeadersStatus = {
  Continue: 0,
  StopIteration: 1,
  ContinueAndEndStream: 2,
  StopAllIterationAndBuffer: 3,
  StopAllIterationAndWatermark: 4,
} as const

/** Envoy's reading of a body callback's i32 result. */
export const DataStatus = {
  Continue: 0,
  StopIterationAndBuffer: 1,
  StopIterationAndWatermark: 2,
  StopIterationNoBuffer: 3,
} as const

export const LogLevel = {
  Trace: 0,
  Debug: 1,
  Info: 2,
  Warn: 3,
  Error: 4,
  Critical: 5,
} as const
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel]

export const BufferType = {
  HttpRequestBody: 0,
  HttpResponseBody: 1,
  DownstreamData: 2,
  UpstreamData: 3,
  HttpCallResponseBody: 4,
  GrpcReceiveBuffer: 5,
  VmConfiguration: 6,
  PluginConfiguration: 7,
  CallData: 8,
} as const

export const MapType = {
  HttpRequestHeaders: 0,
  HttpRequestTrailers: 1,
  HttpResponseHeaders: 2,
  HttpResponseTrailers: 3,
  GrpcReceiveInitialMetadata: 4,
  GrpcReceiveTrailingMetadata: 5,
  HttpCallResponseHeaders: 6,
  HttpCallResponseTrailers: 7,
} as const

export const StreamType = {
  HttpRequest: 0,
  HttpResponse: 1,
  Downstream: 2,
  Upstream: 3,
} as const

export const PeerType = {
  Unknown: 0,
  Local: 1,
  Remote: 2,
} as const

export const MetricType = {
  Counter: 0,
  Gauge: 1,
  Histogram: 2,
} as const
export type MetricType = (typeof MetricType)[keyof typeof MetricType]

/** Callout kinds in the low 2 bits of a token (cpp-host CalloutType). */
export const CalloutType = {
  HttpCall: 0,
  GrpcCall: 1,
  GrpcStream: 2,
} as const

/** gRPC status codes (proxy_on_grpc_close, send_local_response grpc_status). */
export const GrpcStatus = {
  Ok: 0,
  Cancelled: 1,
  Unknown: 2,
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  NotFound: 5,
  AlreadyExists: 6,
  PermissionDenied: 7,
  ResourceExhausted: 8,
  FailedPrecondition: 9,
  Aborted: 10,
  OutOfRange: 11,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
  DataLoss: 15,
  Unauthenticated: 16,
  InvalidCode: -1,
} as const

/** WASI errno values the host returns. */
export const Errno = {
  Success: 0,
  Badf: 8,
  Fault: 21,
  Inval: 28,
  Noent: 44,
  Nosys: 52,
  Notdir: 54,
  Notsup: 58,
  Notcapable: 76,
} as const

export const WasiFd = { Stdout: 1, Stderr: 2 } as const
export const WasiClock = { Realtime: 0, Monotonic: 1 } as const

export type AbiVersion = '0.1.0' | '0.2.0' | '0.2.1'
