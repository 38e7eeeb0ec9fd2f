// Builds what `npm start` and `npm test` need: the host bundle (esbuild, scripts/build-host.mjs)
// and the Wasm filters (asc, scripts/build-wasm.mjs). `node scripts/build.mjs host|wasm` builds one part.
import { buildHost } from './build-host.mjs'
import { buildAllWasm } from './build-wasm.mjs'

const only = process.argv[2]
if (only === undefined || only === 'host') await buildHost()
if (only === undefined || only === 'wasm') await buildAllWasm()
