import { describe, expect, it } from 'vitest'
import { defaultConfig } from '../../host/config/default.ts'
import { packageRoot } from '../../host/package-root.ts'
import { validateConfig } from '../../host/config/load.ts'

describe('embedded default config', () => {
  it('is valid and routes everything to the demo upstream on loopback through the four filters', () => {
    const cfg = validateConfig(defaultConfig('http://127.0.0.1:12345'))
    expect(cfg.listen).toEqual({ host: '127.0.0.1', port: 8080 })
    expect(cfg.admin).toMatchObject({ host: '127.0.0.1', port: 9901 })
    expect(cfg.clusters[0]?.endpoints).toEqual(['http://127.0.0.1:12345'])
    expect(cfg.routes[0]).toMatchObject({ match: { prefix: '/' }, cluster: cfg.clusters[0]?.name })
    expect(cfg.routes[0]?.filters).toEqual(['telemetry', 'auth', 'rate-limit', 'header-rewrite'])
  })

  it('finds the filters in the package, wherever the process runs', () => {
    const root = packageRoot()
    const cfg = validateConfig(defaultConfig('http://127.0.0.1:1'))
    for (const f of cfg.filters) expect(f.source).toBe(`${root}/filters/${f.name}/build/${f.name}.wasm`)
  })
})
