/**
 * @module
 * A real gateway in front of one filter, for the filter-* integration tests: `filterGateway`
 * starts it (proxy and admin on 127.0.0.1:0, closed when the test finishes); `refusedGateway`
 * starts one whose configuration must be refused, and returns the error with every log record
 * written before the refusal (so a test can assert on the filter's own line).
 */
import { Writable } from 'node:stream'
import { createGateway, type CreateGatewayOptions } from '../../host/index.ts'
import { startGateway, type LogRecord, type TestGateway } from './gateway.ts'

export interface FilterGatewayOptions {
  /** The filter's name in the config; routes name it. */
  readonly name: string
  /** Path of the built .wasm. */
  readonly source: string
  readonly config: unknown
  /** Endpoint of the `backend` cluster every default route goes to. */
  readonly upstream: string
  /** Default: one route `/` to `backend` through the filter. */
  readonly routes?: unknown[]
  /** More filters (after this one) and clusters (after `backend`). */
  readonly extraFilters?: unknown[]
  readonly extraClusters?: unknown[]
}

/** The gateway config of FilterGatewayOptions (listen and admin are left to the caller). */
export function filterGatewayConfig(o: FilterGatewayOptions): Record<string, unknown> {
  return {
    clusters: [{ name: 'backend', endpoints: [o.upstream] }, ...(o.extraClusters ?? [])],
    filters: [{ name: o.name, source: o.source, config: o.config }, ...(o.extraFilters ?? [])],
    routes: o.routes ?? [{ match: { prefix: '/' }, cluster: 'backend', filters: [o.name] }],
  }
}

export function filterGateway(o: FilterGatewayOptions, extra: Record<string, unknown> = {}, options: Parameters<typeof startGateway>[1] = {}): Promise<TestGateway> {
  return startGateway({ ...filterGatewayConfig(o), ...extra }, options)
}

export interface GatewayRefusal {
  readonly code: string | undefined
  /** Every log record the gateway wrote before it refused, parsed. */
  readonly logs: LogRecord[]
  /** `msg` of the records the guest wrote (proxy_log). */
  readonly guestLines: string[]
}

/** createGateway on a config it must refuse; throws when the gateway starts instead. */
export async function refusedGateway(o: FilterGatewayOptions, options: Omit<CreateGatewayOptions, 'logDestination'> = {}): Promise<GatewayRefusal> {
  const logs: LogRecord[] = []
  const logDestination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as LogRecord)
      done()
    },
  })
  const config = { ...filterGatewayConfig(o), listen: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 } }
  const err = await createGateway(config, { ...options, logDestination }).then(
    async (gw) => {
      await gw.close()
      return undefined
    },
    (e: unknown) => e as { code?: string },
  )
  if (err === undefined) throw new Error(`the gateway started with filter ${o.name} config ${JSON.stringify(o.config)}`)
  return { code: err.code, logs, guestLines: logs.filter((r) => r.source === 'guest').map((r) => String(r.msg)) }
}
