// header-rewrite through wasmgate/testing: the filter is compiled with the real asc and runs in
// the real host runtime, in-process.
import { describe, expect, it } from 'vitest'
import type { LoadFilterOptions, TestFilter } from '../../../host/testing.ts'
import { filterDir, useFilter, type FilterRefusal } from '../../helpers/filter-harness.ts'

const rewrite = useFilter(filterDir('header-rewrite'))
const load = (config: unknown, upstream?: LoadFilterOptions['upstream']): Promise<TestFilter> => rewrite.load(upstream === undefined ? { config } : { config, upstream })
const refusal = (config: unknown): Promise<FilterRefusal> => rewrite.refusal({ config })

describe('header-rewrite: header actions', () => {
  it('sets, adds and removes request and response headers from templates', async () => {
    const f = await load({
      rules: [{
        request: {
          remove: ['x-secret'],
          set: { 'x-user': '${req:x-user-raw|anonymous}', 'x-client': '${client_ip}', 'x-where': '${method} ${path} on ${host} (${route})', 'x-id': '${request_id}', 'x-lit': 'cost: $$5 $' },
          add: { 'x-multi': 'two' },
        },
        response: { set: { 'x-served-for': '${req:x-user-raw|nobody}', 'x-upstream-type': '${resp:content-type}' }, remove: ['server'], add: { 'x-multi': 'b' } },
      }],
    }, () => ({ status: 200, headers: { 'content-type': 'text/plain', server: 'secret/1.0', 'x-multi': 'a' }, body: 'ok' }))
    const res = await f.request({ method: 'PUT', path: '/a/b?q=1', authority: 'api.test', headers: { 'x-secret': 's', 'x-multi': 'one', 'x-request-id': 'rid-1' } })
    const up = res.upstreamRequest?.headers ?? {}
    expect(up['x-secret']).toBeUndefined()
    expect(up).toMatchObject({ 'x-user': 'anonymous', 'x-client': '127.0.0.1', 'x-where': 'PUT /a/b?q=1 on api.test (test)', 'x-id': 'rid-1', 'x-lit': 'cost: $5 $', 'x-multi': 'one, two' })
    expect(res.headers).toMatchObject({ 'x-served-for': 'nobody', 'x-upstream-type': 'text/plain', 'x-multi': 'a, b' })
    expect(res.headers.server).toBeUndefined()
  })

  it('reads properties by path and falls back when they are missing', async () => {
    const f = await load({ rules: [{ request: { set: { 'x-plugin': '${prop:plugin_name}', 'x-none': '${prop:no.such.thing|none}' } } }] })
    const res = await f.request({})
    expect(res.upstreamRequest?.headers).toMatchObject({ 'x-plugin': 'header-rewrite', 'x-none': 'none' })
  })
})

describe('header-rewrite: conditions', () => {
  const config = {
    rules: [
      { match: { prefix: '/api/' }, request: { set: { 'x-prefix': 'y' } } },
      { match: { path: '/exact' }, request: { set: { 'x-exact': 'y' } } },
      { match: { regex: '^/users/[0-9]+$' }, request: { set: { 'x-regex': 'y' } } },
      { match: { methods: ['post', 'PUT'] }, request: { set: { 'x-method': 'y' } } },
      { match: { headers: [{ name: 'X-Flag', present: true }] }, request: { set: { 'x-present': 'y' } } },
      { match: { headers: [{ name: 'x-flag', present: false }] }, request: { set: { 'x-absent': 'y' } } },
      { match: { headers: [{ name: 'x-env', equals: 'prod' }] }, request: { set: { 'x-equals': 'y' } } },
      { match: { headers: [{ name: 'user-agent', matches: '(?i)^curl/' }] }, request: { set: { 'x-matches': 'y' } } },
      { match: { prefix: '/api/', methods: ['GET'], headers: [{ name: 'x-env', equals: 'prod' }] }, request: { set: { 'x-all': 'y' } }, response: { set: { 'x-all-resp': 'y' } } },
    ],
  }
  const flags = (h: Record<string, string> | undefined) => Object.keys(h ?? {}).filter((k) => k.startsWith('x-') && h?.[k] === 'y').sort()

  it('applies a rule only when all its conditions hold', async () => {
    const f = await load(config)
    const a = await f.request({ path: '/api/x?z=1', headers: { 'x-env': 'prod', 'user-agent': 'CURL/8.0' } })
    expect(flags(a.upstreamRequest?.headers)).toEqual(['x-absent', 'x-all', 'x-equals', 'x-matches', 'x-prefix'])
    expect(a.headers['x-all-resp']).toBe('y')
    const b = await f.request({ method: 'POST', path: '/users/42', headers: { 'x-flag': '', 'x-env': 'dev', 'user-agent': 'wget curl/1' } })
    expect(flags(b.upstreamRequest?.headers)).toEqual(['x-method', 'x-present', 'x-regex'])
    expect(b.headers['x-all-resp']).toBeUndefined()
    const c = await f.request({ path: '/exact', headers: { 'x-flag': '1' } })
    expect(flags(c.upstreamRequest?.headers)).toEqual(['x-exact', 'x-present'])
    const d = await f.request({ path: '/users/42/more' })
    expect(flags(d.upstreamRequest?.headers)).toEqual(['x-absent'])
  })
})

describe('header-rewrite: path and host rewrite', () => {
  it('replaces a matched prefix and keeps the query string', async () => {
    const f = await load({ rules: [{ match: { prefix: '/api/v1/' }, rewrite: { prefix: '/v2/' } }] })
    expect((await f.request({ path: '/api/v1/items?limit=5' })).upstreamRequest?.headers[':path']).toBe('/v2/items?limit=5')
    expect((await f.request({ path: '/other?x=1' })).upstreamRequest?.headers[':path']).toBe('/other?x=1')
  })

  it('builds a new path from regex capture groups, usable in headers on both sides', async () => {
    const f = await load({
      rules: [{
        match: { regex: '^/users/([0-9]+)/posts/([a-z-]+)$' },
        rewrite: { path: '/v2/posts/${2}?author=${1}', host: 'posts.internal' },
        request: { set: { 'x-user-id': '${1}' } },
        response: { set: { 'x-post': '${2} by ${1}' } },
      }],
    })
    const res = await f.request({ path: '/users/42/posts/hello-world?ignored=1', authority: 'public.test' })
    expect(res.upstreamRequest?.headers).toMatchObject({ ':path': '/v2/posts/hello-world?author=42', ':authority': 'posts.internal', 'x-user-id': '42' })
    expect(res.headers['x-post']).toBe('hello-world by 42')
  })

  it('keeps each request its own captures when requests interleave', async () => {
    const f = await load({ rules: [{ match: { regex: '^/item/([0-9]+)$' }, response: { set: { 'x-item': '${1}' } } }] })
    const results = await Promise.all(['/item/1', '/item/22', '/item/333'].map((path) => f.request({ path })))
    expect(results.map((r) => r.headers['x-item'])).toEqual(['1', '22', '333'])
  })

  it('substitutes every match of a regex with capture groups', async () => {
    const f = await load({ rules: [{ rewrite: { regex: '/([a-z]+)-([0-9]+)', substitution: '/${2}_${1}' } }] })
    expect((await f.request({ path: '/ab-1/x/cd-22/9?q=/zz-1' })).upstreamRequest?.headers[':path']).toBe('/1_ab/x/22_cd/9?q=/zz-1')
  })

  it('sets the host from a template', async () => {
    const f = await load({ rules: [{ match: { headers: [{ name: 'x-tenant', present: true }] }, rewrite: { host: '${req:x-tenant}.backend.internal' } }] })
    expect((await f.request({ authority: 'a.test', headers: { 'x-tenant': 'acme' } })).upstreamRequest?.headers[':authority']).toBe('acme.backend.internal')
    expect((await f.request({ authority: 'a.test' })).upstreamRequest?.headers[':authority']).toBe('a.test')
  })

  it('lets later rules see what earlier rules did', async () => {
    const f = await load({
      rules: [
        { match: { prefix: '/old/' }, rewrite: { prefix: '/new/' } },
        { match: { prefix: '/new/' }, request: { set: { 'x-seen-path': '${path}' } } },
      ],
    })
    expect((await f.request({ path: '/old/a' })).upstreamRequest?.headers['x-seen-path']).toBe('/new/a')
  })
})

describe('header-rewrite: regex engine agrees with JavaScript RegExp', () => {
  // Patterns whose captures mean the same in a Pike VM and in JS (no captures reset by repetition).
  const cases: Array<[string, string[]]> = [
    ['^/a(b*)c$', ['/ac', '/abbbc', '/abd', '/xac']],
    ['([0-9]+)-([0-9]+)', ['/x12-345y', '/1-', '/-2']],
    ['/(foo|foobar|fo)(.*)', ['/foobarbaz', '/fo', '/f']],
    ['a{2,3}', ['/a', '/aa', '/aaaa']],
    ['^/(.*?)/(.*)$', ['/a/b/c', '/abc']],
    ['[^/]+$', ['/path/to/file.txt', '/']],
    ['\\.(png|jpe?g|gif)$', ['/img/x.jpeg', '/img/x.jpg', '/img/x.png', '/x.pngx']],
    ['^/v(\\d)(?:\\.(\\d))?/', ['/v1/x', '/v2.5/y', '/vx/']],
    ['(a|ab)(c|bcd)(d*)', ['/abcd', '/abcdd']],
    ['\\w+@\\w+\\.com', ['/mail/joe@example.com', '/a@b.org']],
    ['x*', ['/', '/xx']],
    ['(?i)^/API/([a-z]+)', ['/api/Users', '/Api/x', '/apix']],
    ['[a-c-]{2}\\d{0,2}', ['/-a12', '/zz', '/ab123']],
    ['(a+)+b', ['/aaaaaaaaaaaac', '/aab']],
  ]

  it.each(cases)('%s', async (pattern, inputs) => {
    const groups = new RegExp(pattern.replace('(?i)', '')).source.split('(').length - 1 - (pattern.match(/\(\?[:i]/g)?.length ?? 0)
    const set: Record<string, string> = { 'x-g0': '[${0}]' }
    for (let g = 1; g <= groups; g++) set[`x-g${g}`] = `[\${${g}}]`
    const f = await load({ rules: [{ match: { regex: pattern }, request: { set } }] })
    const js = new RegExp(pattern.replace('(?i)', ''), pattern.startsWith('(?i)') ? 'i' : '')
    for (const input of inputs) {
      const res = await f.request({ path: input })
      const m = js.exec(input)
      const got = res.upstreamRequest?.headers ?? {}
      if (m === null) {
        expect(got['x-g0'], `${pattern} on ${input}`).toBeUndefined()
        continue
      }
      for (let g = 0; g <= groups; g++) expect(got[`x-g${g}`], `${pattern} on ${input}, group ${g}`).toBe(`[${m[g] ?? ''}]`)
    }
  })
})

describe('header-rewrite: regex engine cost', () => {
  it('runs a pattern that makes backtracking engines explode in one pass over the input', async () => {
    // JavaScript's RegExp would take ~2^n steps on this input; the Pike VM takes n.
    const f = await load({ rules: [{ match: { regex: '^/(a+)+b$' }, request: { set: { 'x-m': 'y' } } }, { match: { regex: '^/(a|aa)+$' }, request: { set: { 'x-m2': '${1}' } } }] })
    const res = await f.request({ path: `/${'a'.repeat(5000)}c` })
    expect(res.upstreamRequest?.headers['x-m']).toBeUndefined()
    const ok = await f.request({ path: `/${'a'.repeat(5000)}` })
    expect(ok.upstreamRequest?.headers['x-m2']).toBe('a')
  })
})

describe('header-rewrite: bad configuration', () => {
  it.each([
    [{ rules: [{ match: { regex: '([a-z]' } }] }, /^invalid configuration: rules\[0\]\.match\.regex: invalid regex: missing '\)'/],
    [{ rules: [{ match: { regex: 'a**' } }] }, /^invalid configuration: rules\[0\]\.match\.regex: invalid regex: nothing to repeat/],
    [{ rules: [{ request: { set: { 'x-a': '${nope}' } } }] }, /^invalid configuration: rules\[0\]\.request\.set\.x-a: unknown variable/],
    [{ rules: [{ request: { set: { 'x-a': '${1}' } } }] }, /^invalid configuration: rules\[0\]\.request\.set\.x-a: uses \$\{N\} capture groups but there is no match\.regex/],
    [{ rules: [{ match: { regex: '^/(a)$' }, rewrite: { path: '/${2}' } }] }, /^invalid configuration: rules\[0\]\.rewrite\.path: refers to capture group \$\{2\}/],
    [{ rules: [{ rewrite: { prefix: '/x' } }] }, /^invalid configuration: rules\[0\]\.rewrite\.prefix: needs match\.prefix/],
    [{ rules: [{ request: { set: { ':path': '/x' } } }] }, /^invalid configuration: rules\[0\]\.request\.set\.:path: ':path' is not a header name/],
    [{ rules: [{ request: { set: { 'x-a': '${resp:x}' } } }] }, /^invalid configuration: rules\[0\]\.request\.set\.x-a: \$\{resp:\.\.\.\} is only available in response actions/],
    [{ rules: [{ match: { headers: [{ name: 'x', equals: 'a', present: true }] } }] }, /^invalid configuration: rules\[0\]\.match\.headers\[0\]\.name: give exactly one of present, equals and matches/],
    [{ rules: [{ match: { prefx: '/' } }] }, /^invalid configuration: rules\[0\]\.match\.prefx: unknown field/],
    [{ rules: [{ match: { regex: 'a{2,1}' } }] }, /^invalid configuration: rules\[0\]\.match\.regex: invalid regex: \{n,m\} with m < n/],
    [{ rule: [] }, /^invalid configuration: rules: is required/],
  ])('refuses %j', async (config, line) => {
    const err = await refusal(config)
    expect(err.code).toBe('WG_ERR_FILTER_CONFIGURE_FAILED')
    expect(err.filterLogs.some((l) => line.test(l)), err.filterLogs.join('\n')).toBe(true)
  })
})
