/**
 * @module
 * The embedded default config (`wasmgate serve` with no --config): the proxy on 127.0.0.1:8080
 * in front of the demo upstream, admin on 127.0.0.1:9901, and the four production filters in one
 * chain, configured so each shows itself on a curl: telemetry (metrics, access log, traceparent),
 * auth (an API key on /private), rate-limit (5 per minute on /limited) and header-rewrite
 * (/old/ → /new/, and an x-served-by response header).
 */
import { join } from 'node:path'
import { packageRoot as findPackageRoot } from '../package-root.ts'

/** The API key the default accepts on /private (its sha256 is in the auth config below). */
export const DEMO_API_KEY = 'demo-key'
const DEMO_API_KEY_SHA256 = 'c48a01f49fd0f2cc404bc3cbbc80e91457a3d41bb429a695243de4c61794155c'

export function defaultConfig(demoUpstreamUrl: string, packageRoot = findPackageRoot()): Record<string, unknown> {
  const wasm = (name: string) => join(packageRoot, 'filters', name, 'build', `${name}.wasm`)
  return {
    listen: { host: '127.0.0.1', port: 8080 },
    admin: { host: '127.0.0.1', port: 9901 },
    clusters: [{ name: 'demo', endpoints: [demoUpstreamUrl] }],
    filters: [
      { name: 'telemetry', source: wasm('telemetry'), config: {} },
      {
        name: 'auth',
        source: wasm('auth'),
        config: {
          apiKeys: { header: 'x-api-key', keys: [{ name: 'demo', sha256: DEMO_API_KEY_SHA256 }], consumerHeader: 'x-consumer' },
          rules: [
            { prefix: '/private', require: ['apiKey'] },
            { prefix: '/', public: true },
          ],
        },
      },
      {
        name: 'rate-limit',
        source: wasm('rate-limit'),
        config: { rules: [{ name: 'demo', match: { prefix: '/limited' }, limits: [{ requests: 5, per: 'minute' }] }] },
      },
      {
        name: 'header-rewrite',
        source: wasm('header-rewrite'),
        config: {
          rules: [
            { name: 'old-to-new', match: { prefix: '/old/' }, rewrite: { prefix: '/new/' } },
            { name: 'served-by', response: { set: { 'x-served-by': 'wasmgate' } } },
          ],
        },
      },
    ],
    routes: [{ name: 'demo', match: { prefix: '/' }, cluster: 'demo', filters: ['telemetry', 'auth', 'rate-limit', 'header-rewrite'] }],
  }
}

/** What to try against the default, printed by `wasmgate serve`. */
export function defaultTryLines(url: string, adminUrl: string): string[] {
  const tries: Array<[string, string]> = [
    [`curl -s ${url}/hello -d 'hi'`, 'echoed by the demo upstream'],
    [`curl -si ${url}/private`, '401 from the auth filter'],
    [`curl -s ${url}/private -H 'x-api-key: ${DEMO_API_KEY}'`, 'allowed; the upstream sees x-consumer: demo'],
    [`for i in 1 2 3 4 5 6; do curl -so /dev/null -w '%{http_code} ' ${url}/limited; done`, '429 after 5'],
    [`curl -s ${url}/old/thing`, 'the upstream sees /new/thing'],
    [`curl -s ${adminUrl}/stats/prometheus | grep wasmcustom`, "the filters' metrics"],
  ]
  const width = Math.max(...tries.map(([cmd]) => cmd.length))
  return tries.map(([cmd, what]) => `${cmd.padEnd(width)}  # ${what}`)
}
