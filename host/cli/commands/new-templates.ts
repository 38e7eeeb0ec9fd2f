/**
 * @module
 * The files `wasmgate new` writes. The filter is the SDK's header-adding example; its test
 * loads the built .wasm into the real host with `wasmgate/testing`.
 */

export interface Versions {
  readonly wasmgate: string
  readonly assemblyscript: string
  readonly vitest: string
}

export function scaffoldFiles(name: string, v: Versions): Record<string, string> {
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`
  return {
    'package.json': json({
      name,
      version: '0.1.0',
      private: true,
      type: 'module',
      scripts: { build: 'wasmgate build', 'build:debug': 'wasmgate build --debug', test: 'wasmgate build && vitest run' },
      devDependencies: { assemblyscript: v.assemblyscript, vitest: v.vitest, wasmgate: v.wasmgate },
    }),
    // The shared targets (release: small and fast; debug: names + source map) and the SDK's
    // runtime wiring (abort routed to proxy_log) come from the wasmgate package.
    'asconfig.json': json({ extends: './node_modules/wasmgate/asconfig.json' }),
    'assembly/tsconfig.json': json({ extends: '../node_modules/assemblyscript/std/assembly.json', include: ['./**/*.ts'] }),
    'assembly/index.ts': `// ${name}: a proxy-wasm filter written with the wasmgate AssemblyScript SDK.
// It adds one configured header to every request and every response.
//
// Configuration (JSON): { "name": "x-hello", "value": "world" }
export * from "wasmgate/sdk/assembly/abi/exports"
import { FilterHeadersStatus, HttpContext, RootContext, registerRootContext } from "wasmgate/sdk/assembly"

class Root extends RootContext {
  name: string = "x-${name}"
  value: string = "1"

  onConfigure(configurationSize: usize): bool {
    const cfg = this.config()
    this.name = cfg.stringOr("name", this.name)
    this.value = cfg.stringOr("value", this.value)
    if (this.name.length == 0) cfg.invalid("name", "must not be empty")
    return cfg.check() // logs each wrong field, and refuses the configuration
  }

  createHttpContext(contextId: u32): HttpContext {
    return new Filter(contextId, this)
  }
}

class Filter extends HttpContext {
  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const root = changetype<Root>(this.root)
    this.request.headers.set(root.name, root.value)
    return FilterHeadersStatus.Continue
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const root = changetype<Root>(this.root)
    this.response.headers.set(root.name, root.value)
    return FilterHeadersStatus.Continue
  }
}

registerRootContext((contextId: u32): RootContext => new Root(contextId))
`,
    [`test/${name}.test.ts`]: `import { afterEach, describe, expect, it } from 'vitest'
import { loadFilter, type TestFilter } from 'wasmgate/testing'

// Built by \`npm test\` (wasmgate build) before vitest runs.
const wasm = new URL('../build/${name}.wasm', import.meta.url)
let filter: TestFilter | undefined

afterEach(async () => {
  await filter?.close()
  filter = undefined
})

describe('${name}', () => {
  it('adds the configured header to the request and to the response', async () => {
    filter = await loadFilter(wasm, { config: { name: 'x-hello', value: 'world' } })
    const res = await filter.request({ method: 'GET', path: '/' })
    expect(res.upstreamRequest?.headers['x-hello']).toBe('world')
    expect(res.headers['x-hello']).toBe('world')
  })

  it('refuses an empty header name, and says which field is wrong', async () => {
    await expect(loadFilter(wasm, { config: { name: '' } })).rejects.toMatchObject({ code: 'WG_ERR_FILTER_CONFIGURE_FAILED' })
  })
})
`,
    'README.md': `# ${name}

A [proxy-wasm](https://github.com/proxy-wasm/spec) filter written in AssemblyScript with the
wasmgate SDK. It adds one header to every request and every response.

    npm install
    npm test              # wasmgate build, then the tests in test/
    npm run build:debug   # build/${name}.debug.wasm with names and a source map

Configuration (JSON, given as \`config\` in the proxy's filter entry):

| field | type | default | meaning |
|---|---|---|---|
| name | string | \`x-${name}\` | the header to add |
| value | string | \`1\` | its value |

Run it in wasmgate:

\`\`\`yaml
filters:
  - name: ${name}
    source: ./build/${name}.wasm
    config: { name: x-hello, value: world }
routes:
  - match: { prefix: "/" }
    cluster: backend
    filters: [ ${name} ]
\`\`\`

The .wasm is a standard proxy-wasm 0.2.1 module, so Envoy and Istio load it as it is.
`,
    '.gitignore': 'node_modules/\nbuild/\n',
  }
}
