/**
 * @module
 * One built filter, loaded through wasmgate/testing, for a test file: `useFilter(dir)` compiles
 * the filter directory once (beforeAll; scripts/build-wasm.mjs caches by source hash) and closes
 * every filter a test loaded (afterEach, or afterAll with `keepOpen`).
 *
 *   const auth = useFilter(filterDir('auth'), { name: 'auth' })
 *   const f = await auth.load({ config })
 *   const { code, filterLogs } = await auth.refusal({ config: bad })
 */
import { afterAll, afterEach, beforeAll } from 'vitest'
import { compileFilterDir } from '../../scripts/build-wasm.mjs'
import { loadFilter, type LoadFilterOptions, type TestFilter } from '../../host/testing.ts'

const root = new URL('../../', import.meta.url).pathname

/** The directory of a production filter (filters/<name>) or, with `fixture`, a test fixture. */
export function filterDir(name: string, kind: 'filter' | 'fixture' = 'filter'): string {
  return kind === 'filter' ? `${root}filters/${name}` : `${root}test/fixtures/filters/${name}`
}

/** The refusal a filter gives a configuration: the error code and the filter's own log lines. */
export interface FilterRefusal {
  readonly code: string
  readonly filterLogs: string[]
}

export interface FilterHarness {
  /** Path of the compiled .wasm (set once beforeAll has run). */
  readonly wasm: string
  /** Loads the filter with `defaults` overlaid by `options`; closed after the test. */
  load(options?: LoadFilterOptions): Promise<TestFilter>
  /** Loads a configuration the filter must refuse; throws when it accepts it. */
  refusal(options?: LoadFilterOptions): Promise<FilterRefusal>
}

export interface UseFilterOptions {
  /** Close loaded filters after the whole file instead of after each test. */
  readonly keepOpen?: boolean
}

/** Compiles `dir` once for the file (beforeAll); `wasm` is the built path from then on. */
export function useFilterBuild(dir: string): { readonly wasm: string } {
  let wasm = ''
  beforeAll(async () => {
    wasm = (await compileFilterDir(dir)).outFile
  }, 120_000)
  return {
    get wasm() {
      if (wasm === '') throw new Error(`useFilterBuild(${dir}): the filter is not built yet (use it inside a test or hook)`)
      return wasm
    },
  }
}

export function useFilter(dir: string, defaults: LoadFilterOptions = {}, options: UseFilterOptions = {}): FilterHarness {
  const build = useFilterBuild(dir)
  const open: TestFilter[] = []
  const closeAll = async (): Promise<void> => {
    for (const f of open.splice(0)) await f.close()
  }
  if (options.keepOpen) afterAll(closeAll)
  else afterEach(closeAll)

  return {
    get wasm() {
      return build.wasm
    },
    async load(opts = {}) {
      const f = await loadFilter(build.wasm, { ...defaults, ...opts })
      open.push(f)
      return f
    },
    async refusal(opts = {}) {
      const err = await loadFilter(build.wasm, { ...defaults, ...opts }).then(
        (f) => {
          open.push(f)
          return undefined
        },
        (e: unknown) => e as FilterRefusal,
      )
      if (err === undefined) throw new Error(`the filter accepted the configuration ${JSON.stringify(opts.config)}`)
      return err
    },
  }
}
