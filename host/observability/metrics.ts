/**
 * @module
 * The gateway's metrics registry (prom-client), one per gateway so several gateways in one
 * process (tests) never share series. Host metrics and filter-defined metrics both live here
 * and are served together at the admin `/stats/prometheus`.
 */
import { Registry } from 'prom-client'

export function createMetricsRegistry(): Registry {
  return new Registry()
}

export type { Registry }
