// HeaderMap operations on a typical proxied request (12 headers after the pseudo-headers), the
// work the filter bridge does per request before any guest call. Run: npx tsx bench/micro/filter/header-map.bench.ts
import { bench, do_not_optimize, group, run, summary } from 'mitata'
import { HeaderMap } from '../../../host/filter/header-map.ts'

const RAW = [
  'Host', 'api.example.com',
  'User-Agent', 'wrk/4.1.0',
  'Accept', 'application/json',
  'Accept-Encoding', 'gzip, deflate, br',
  'Authorization', 'Bearer bench-token',
  'Content-Type', 'application/json',
  'Content-Length', '16384',
  'X-Forwarded-For', '10.0.0.1',
  'X-Forwarded-Proto', 'http',
  'X-Forwarded-Host', 'api.example.com',
  'X-Request-Id', '0f8fad5b-d9cb-469f-a165-70867728950e',
  'Cookie', 'session=abc123; theme=dark',
]
const PSEUDO = [':method', 'GET', ':path', '/v1/items?limit=10', ':authority', 'api.example.com', ':scheme', 'http']

summary(() => {
  group('build a request map', () => {
    bench('HeaderMap.fromRaw (12 raw + 4 pseudo)', () => do_not_optimize(HeaderMap.fromRaw(RAW, PSEUDO)))
    bench('plain object from raw (node-style)', () => {
      const o: Record<string, string> = {}
      for (let i = 0; i < RAW.length; i += 2) o[(RAW[i] as string).toLowerCase()] = RAW[i + 1] as string
      return do_not_optimize(o)
    })
  })
})

const map = HeaderMap.fromRaw(RAW, PSEUDO)
group('lookups on a 16-entry map', () => {
  bench('get (present, late)', () => do_not_optimize(map.get('cookie')))
  bench('get (absent)', () => do_not_optimize(map.get('x-missing')))
  bench('getAll', () => do_not_optimize(map.getAll('accept')))
  bench('byteSize', () => do_not_optimize(map.byteSize()))
})

group('changes (fresh map each time)', () => {
  bench('add', () => {
    const m = HeaderMap.fromRaw(RAW, PSEUDO)
    m.add('x-bench', '1')
    return do_not_optimize(m)
  })
  bench('set (replace existing)', () => {
    const m = HeaderMap.fromRaw(RAW, PSEUDO)
    m.set('user-agent', 'wasmgate')
    return do_not_optimize(m)
  })
  bench('remove', () => {
    const m = HeaderMap.fromRaw(RAW, PSEUDO)
    m.remove('cookie')
    return do_not_optimize(m)
  })
})

group('leave the map', () => {
  bench('iterate pairs', () => {
    let n = 0
    for (const [k, v] of map) n += k.length + v.length
    return do_not_optimize(n)
  })
  bench('flat walk', () => {
    let n = 0
    const f = map.flat
    for (let i = 0; i < f.length; i++) n += (f[i] as string).length
    return do_not_optimize(n)
  })
  bench('toObject', () => do_not_optimize(map.toObject()))
})

await run()
