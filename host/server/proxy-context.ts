/**
 * @module
 * What every request of one gateway shares, resolved once at startup: the router, each route's
 * cluster, filter chain and metric children, the header options and the logger. Streams read it;
 * nothing in it is computed per request. A config reload (config-reload.ts) swaps the router,
 * routes and options between requests; a stream keeps what it read when it started.
 */
import type { Logger } from 'pino'
import type { GatewayConfig } from '../config/schema.ts'
import type { FilterChain } from '../filter/contract.ts'
import type { Cluster } from './cluster.ts'
import type { GatewayMetrics, RouteStats } from './gateway-metrics.ts'
import type { ProxyHeaderOptions } from './proxy-headers.ts'
import type { CompiledRoute, Router } from './router.ts'

export interface RouteRuntime {
  readonly route: CompiledRoute
  readonly cluster: Cluster | undefined
  /** Present only when the route names filters; absent means the fast path. */
  readonly chain: FilterChain | undefined
  readonly stats: RouteStats
  /** `logger.child({ type: 'access', route, cluster })`: the access line's constant fields. */
  readonly accessLogger: Logger
  /** Response-headers deadline over all tries; 0 means none. */
  readonly timeoutMs: number
}

export interface ProxyContext {
  config: GatewayConfig
  router: Router
  /** Indexed by CompiledRoute.index. */
  routes: readonly RouteRuntime[]
  /** Stats for requests that matched no route. */
  readonly noRouteStats: RouteStats
  /** Access logger of requests that matched no route (rebuilt when the log level changes). */
  noRouteAccessLogger: Logger
  headerOptions: ProxyHeaderOptions
  readonly logger: Logger
  readonly metrics: GatewayMetrics
  accessLog: boolean
  maxRequestBodyBytes: number
  readonly isTls: boolean
  /** Set when shutdown starts: responses then carry `connection: close`. */
  isDraining: boolean
  /** In-flight requests, for graceful drain. */
  inflight: number
  onIdle: (() => void) | undefined
  nextConnectionId: number
}
