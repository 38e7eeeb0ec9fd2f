/**
 * @module
 * wasmgate's public API: start a gateway from a config object, and the error class with its
 * stable codes. Everything else is internal.
 */
import type { DestinationStream } from 'pino'
import { validateConfig } from './config/load.ts'
import type { GatewayConfig } from './config/schema.ts'
import { createLogger, type Logger, type LogLevel } from './observability/log.ts'
import { createMetricsRegistry } from './observability/metrics.ts'
import { startGateway, type Gateway, type GatewayParts } from './server/gateway.ts'

export interface CreateGatewayOptions {
  /** Use this logger (its level wins over config.log.level). */
  readonly logger?: Logger
  /** Where a logger made here writes its JSON lines; stdout by default. */
  readonly logDestination?: DestinationStream
  /** Overrides config.log.level for a logger made here. */
  readonly logLevel?: LogLevel
  /** Directory relative paths in the config (filters, TLS files) resolve against; cwd by default. */
  readonly baseDir?: string
  /**
   * Seam for tests and benchmarks: builds the filter runtime instead of createFilterRuntime,
   * with the same arguments `(config.filters, deps)`. Whatever FilterRuntime it returns runs
   * through the exact server path the Wasm runtime does (FilteredStream, host/filter/contract.ts):
   * the server ↔ filter contract tests use it, and so can the bench's plain-TypeScript-hooks
   * row (a FilterRuntime whose chains call bench/peers/ts-filters). Not a stable API.
   */
  readonly filterRuntimeForTesting?: GatewayParts['filterRuntimeForTesting']
}

/**
 * Validates `config` (a plain object, as parsed from YAML, or an already validated config),
 * then listens on `listen` and `admin`. Rejects with WG_ERR_CONFIG_INVALID listing every
 * problem, before anything listens.
 */
export async function createGateway(config: GatewayConfig | unknown, options: CreateGatewayOptions = {}): Promise<Gateway> {
  const valid = Object.isFrozen(config) ? (config as GatewayConfig) : validateConfig(config)
  const logger = options.logger ?? createLogger({ level: options.logLevel ?? valid.log.level, ...(options.logDestination ? { destination: options.logDestination } : {}) })
  return startGateway({ config: valid, logger, registry: createMetricsRegistry(), baseDir: options.baseDir ?? process.cwd(), ...(options.filterRuntimeForTesting ? { filterRuntimeForTesting: options.filterRuntimeForTesting } : {}) })
}

export type { Gateway } from './server/gateway.ts'
export type { ConfigReloadResult } from './server/config-reload.ts'
export type { FilterRow, ReloadOutcome, ReloadTrigger } from './filter/reload-manager.ts'
export type { AdminRouter, AdminHandler, AdminParams } from './admin/server.ts'
export type { GatewayConfig, ClusterConfig, RouteConfig, FilterConfig } from './config/schema.ts'
export { validateConfig, loadConfigFile, parseConfigText } from './config/load.ts'
export { WasmgateError, isWasmgateError, errorCodes, type ErrorCode } from './errors.ts'
export { HeaderMap } from './filter/header-map.ts'
