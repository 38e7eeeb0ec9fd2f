import { defineConfig } from 'vitest/config'

// Two projects: `unit` is pure and fast (no sockets); `integration` drives real servers on
// 127.0.0.1 and the real AssemblyScript compiler (built once by test/helpers/build-fixtures.ts).
export default defineConfig({
  test: {
    // Test files in one worker share the module graph instead of re-importing the host, undici
    // and asc for each file, which took most of the suite's time (no test mocks modules or
    // changes globals; each closes what it starts). Measured on 2 cores: unit 73 s -> 27 s,
    // integration ~350 s -> ~160 s.
    isolate: false,
    // The default output, then one plain `N passed, N failed` line for CI.
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/conformance/**/*.test.ts', 'test/interop/**/*.test.ts'],
          environment: 'node',
          // Bundles the host and compiles every AssemblyScript filter once per run (cached).
          globalSetup: ['test/helpers/build-fixtures.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})
