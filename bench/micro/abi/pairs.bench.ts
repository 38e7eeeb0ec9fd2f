// Header-map marshaling across the ABI: encoding a request map into the pair format (fresh and
// cached), decoding what a guest hands back, and the full copy-out into guest memory through a
// guest allocator (the work behind one proxy_get_header_map_pairs). Run: npx tsx bench/micro/abi/pairs.bench.ts
import { bench, do_not_optimize, group, run, summary } from 'mitata'
import { GuestMemory } from '../../../host/abi/memory.ts'
import { decodePairs, encodeMap, encodePairs } from '../../../host/abi/pairs.ts'
import { HeaderMap } from '../../../host/filter/header-map.ts'

const FLAT = [
  ':method', 'GET', ':path', '/v1/items?limit=10', ':authority', 'api.example.com', ':scheme', 'http',
  'user-agent', 'wrk/4.1.0', 'accept', 'application/json', 'accept-encoding', 'gzip, deflate, br',
  'authorization', 'Bearer bench-token', 'content-type', 'application/json', 'x-forwarded-for', '10.0.0.1',
  'x-forwarded-proto', 'http', 'x-request-id', '0f8fad5b-d9cb-469f-a165-70867728950e',
]
const encoded = encodePairs(FLAT)
const cachedMap = new HeaderMap(FLAT.slice())
encodeMap(cachedMap)

const wasmMemory = new WebAssembly.Memory({ initial: 4 })
const mem = new GuestMemory()
let bump = 4096
mem.bind(wasmMemory, (size) => {
  if (bump + size > 200_000) bump = 4096
  const p = bump
  bump += size
  return p
})

summary(() => {
  group('encode 12 headers', () => {
    bench('encodePairs (a changed map)', () => do_not_optimize(encodePairs(FLAT)))
    bench('encodeMap (cached, unchanged map)', () => do_not_optimize(encodeMap(cachedMap)))
  })
  group('decode 12 headers', () => {
    bench('decodePairs', () => do_not_optimize(decodePairs(encoded)))
  })
  group('get_header_map_pairs copy-out', () => {
    bench('copyOut via guest allocator (cached encoding)', () => do_not_optimize(mem.copyOut(encodeMap(cachedMap), 16, 20)))
    bench('encode + copyOut (map changed since last call)', () => do_not_optimize(mem.copyOut(encodePairs(FLAT), 16, 20)))
  })
})

await run()
