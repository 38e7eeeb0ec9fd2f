// wasmgate as the benchmark runs it: `node bin/wasmgate.js serve --config FILE` with one cluster
// pointing at the upstream and one catch-all route carrying the scenario's filters. Access logs
// are off like nginx's (`access_log off`); the `wasmgate-accesslog` scenario measures them on.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * filters: [{ name, source, config?, rootId? }] in chain order. Writes `<dir>/<name>.yaml`
 * (JSON is YAML) and returns its path.
 */
export function writeWasmgateConfig({ dir, name, port, upstreamUrl, filters = [], accessLog = false, proxyHeaders }) {
  const config = {
    listen: { host: '127.0.0.1', port },
    admin: { host: '127.0.0.1', port: 0 },
    // the access log is written at info level: with it off, only warnings and errors are logged
    log: { level: accessLog ? 'info' : 'warn', accessLog },
    ...(proxyHeaders ? { proxyHeaders } : {}),
    clusters: [{ name: 'upstream', endpoints: [upstreamUrl] }],
    filters,
    routes: [{ match: { prefix: '/' }, cluster: 'upstream', filters: filters.map((f) => f.name) }],
  }
  const file = join(dir, `${name}.yaml`)
  writeFileSync(file, JSON.stringify(config, null, 2) + '\n')
  return file
}
