/**
 * @module
 * The embedded default config (`wasmgate serve` with no --config): the proxy on
 * 127.0.0.1:8080 routes everything to the demo upstream, admin on 127.0.0.1:9901. Later issues
 * add the example filters here.
 */
export function defaultConfig(demoUpstreamUrl: string): Record<string, unknown> {
  return {
    listen: { host: '127.0.0.1', port: 8080 },
    admin: { host: '127.0.0.1', port: 9901 },
    clusters: [{ name: 'demo', endpoints: [demoUpstreamUrl] }],
    routes: [{ name: 'demo', match: { prefix: '/' }, cluster: 'demo' }],
  }
}
