// The auth filter through wasmgate/testing: the real .wasm (compiled with asc) in the real host
// runtime. Tokens are signed with node:crypto; the filter verifies them with its own code.
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { LoadFilterOptions, TestFilter, TestResponse } from '../../../host/testing.ts'
import { filterDir, useFilter } from '../../helpers/filter-harness.ts'
import { ecKey, hmacKey, nowS, rsaKey, sha256Hex, signJwt, tamper } from '../../helpers/jwt-tokens.ts'

const auth = useFilter(filterDir('auth'), { name: 'auth' })
const load = (config: unknown, options: LoadFilterOptions = {}): Promise<TestFilter> => auth.load({ config, ...options })

async function refused(config: unknown): Promise<string[]> {
  const err = await auth.refusal({ config })
  expect(err.code).toBe('WG_ERR_FILTER_CONFIGURE_FAILED')
  return err.filterLogs
}

const body = (res: TestResponse): Record<string, unknown> => JSON.parse(res.body) as Record<string, unknown>
const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })

describe('auth: API keys', () => {
  const keys = [{ name: 'ci', sha256: sha256Hex('s3cret-ci') }, { name: 'ops', sha256: sha256Hex('s3cret-ops').toUpperCase() }]

  it('admits a configured key from the header, names the consumer, and strips the key if asked', async () => {
    const f = await load({ apiKeys: { header: 'x-api-key', keys, consumerHeader: 'x-consumer', strip: true } })
    const res = await f.request({ headers: { 'x-api-key': 's3cret-ops', 'x-consumer': 'forged' } })
    expect(res.status).toBe(200)
    expect(res.upstreamRequest?.headers['x-consumer']).toBe('ops')
    expect(res.upstreamRequest?.headers['x-api-key']).toBeUndefined()
    expect(await f.metric('auth_allowed')).toBe(1)
  })

  it('refuses a wrong or missing key with 401, a challenge, a JSON body and a log line', async () => {
    const f = await load({ apiKeys: { keys, consumerHeader: 'x-consumer' } })
    const wrong = await f.request({ path: '/x', headers: { 'x-api-key': 'nope', 'x-request-id': 'rid-1' } })
    expect(wrong.status).toBe(401)
    expect(wrong.upstreamRequest).toBeUndefined()
    expect(wrong.headers['www-authenticate']).toBe('ApiKey realm="wasmgate"')
    expect(wrong.headers['content-type']).toBe('application/json')
    expect(body(wrong)).toEqual({ error: 'unauthorized', reason: 'invalid API key', requestId: 'rid-1' })
    expect(f.filterLogs('info')).toContain('auth: denied 401 GET /x: invalid API key (request rid-1)')
    const missing = await f.request({ headers: { 'x-consumer': 'forged' } })
    expect(missing.status).toBe(401)
    expect(body(missing).reason).toBe('missing credentials')
    expect(await f.metric('auth_denied_unauthorized')).toBe(2)
  })

  it('reads the key from a query parameter and removes it from the path', async () => {
    const f = await load({ apiKeys: { query: 'api_key', keys, strip: true } })
    const res = await f.request({ path: '/items?a=1&api_key=s3cret-ci&b=2' })
    expect(res.status).toBe(200)
    expect(res.upstreamRequest?.headers[':path']).toBe('/items?a=1&b=2')
    expect((await f.request({ path: '/items?api_key=bad' })).status).toBe(401)
    expect((await f.request({ path: '/items?api_key=s3cret%2Dci' })).status).toBe(200)
  })

  it('hashes keys of every length right (SHA-256 padding edges)', async () => {
    const lengths = [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 300]
    const raw = lengths.map((n) => randomBytes(n).toString('hex').slice(0, n).padEnd(n, 'k'))
    const f = await load({ apiKeys: { keys: raw.map((k, i) => ({ name: `k${i}`, sha256: sha256Hex(k) })), consumerHeader: 'x-consumer' } })
    for (const [i, k] of raw.entries()) {
      if (k.length === 0) continue // an empty header value is no credential
      const res = await f.request({ headers: { 'x-api-key': k } })
      expect(res.upstreamRequest?.headers['x-consumer'], `key of length ${k.length}`).toBe(`k${i}`)
    }
  })
})

// RSA key generation (3072 bits) and many signatures: more than the default 5 s on a busy machine.
describe('auth: JWT signatures', { timeout: 30_000 }, () => {
  it('verifies the RFC 7515 A.1 (HS256), A.2 (RS256) and A.3 (ES256) examples', async () => {
    // Each example expired in 2011: "token expired" proves the signature check passed first.
    const a1 = 'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
    const a2 = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw'
    const a3 = 'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q'
    const keys = [
      { kty: 'oct', k: 'AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow' },
      { kty: 'RSA', e: 'AQAB', n: 'ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ' },
      { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' },
    ]
    const f = await load({ jwt: { keys } })
    for (const token of [a1, a2, a3]) {
      expect(body(await f.request({ headers: bearer(token) })).reason).toBe('token expired')
      expect(body(await f.request({ headers: bearer(tamper(token)) })).reason).toBe('invalid signature')
    }
  })

  it.each([
    ['HS256 (JWK)', () => hmacKey(randomBytes(32)), (k: ReturnType<typeof hmacKey>) => k.jwk],
    ['HS256 (secret text, long)', () => hmacKey('x'.repeat(100)), () => ({ secret: 'x'.repeat(100) })],
    ['RS256 (JWK)', () => rsaKey(), (k: ReturnType<typeof rsaKey>) => k.jwk],
    ['RS256 (PEM, 3072 bits)', () => rsaKey(undefined, 3072), (k: ReturnType<typeof rsaKey>) => ({ pem: k.pem })],
    ['ES256 (JWK)', () => ecKey(), (k: ReturnType<typeof ecKey>) => k.jwk],
    ['ES256 (PEM)', () => ecKey(), (k: ReturnType<typeof ecKey>) => ({ pem: k.pem })],
  ])('%s: accepts tokens node:crypto signed and refuses tampered ones', async (_name, make, toConfig) => {
    const key = make()
    const f = await load({ jwt: { keys: [toConfig(key as never)], claimsToHeaders: [{ claim: 'sub', header: 'x-user' }] } })
    for (let i = 0; i < 12; i++) {
      const token = signJwt(key, { sub: `user-${i}`, exp: nowS() + 60 })
      // Twice: the second is answered from the verified-token cache.
      for (const round of [1, 2]) {
        const ok = await f.request({ headers: bearer(token) })
        expect(ok.status, `token ${i} round ${round}`).toBe(200)
        expect(ok.upstreamRequest?.headers['x-user']).toBe(`user-${i}`)
      }
      const bad = await f.request({ headers: bearer(tamper(token)) })
      expect(bad.status).toBe(401)
      expect(body(bad).reason).toBe('invalid signature')
      expect(bad.headers['www-authenticate']).toBe('Bearer realm="wasmgate", error="invalid_token", error_description="invalid signature"')
    }
  })

  it('ES256: many keys and tokens, r/s out of range, a point off the curve', async () => {
    const keys = Array.from({ length: 16 }, (_, i) => ecKey(`e${i}`))
    const f = await load({ jwt: { keys: keys.map((k) => k.jwk), requireExpiration: false } })
    for (const key of keys) {
      for (let i = 0; i < 4; i++) {
        const token = signJwt(key, { n: i })
        expect((await f.request({ headers: bearer(token) })).status, `${key.kid} ${i}`).toBe(200)
        expect((await f.request({ headers: bearer(tamper(token)) })).status).toBe(401)
      }
    }
    const [h, p] = signJwt(keys[0]!, {}).split('.')
    const n = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex')
    for (const sig of [Buffer.concat([Buffer.alloc(32), Buffer.alloc(32, 1)]), Buffer.concat([n, n]), Buffer.alloc(63, 1)]) {
      expect(body(await f.request({ headers: bearer(`${h}.${p}.${sig.toString('base64url')}`) })).reason).toBe('invalid signature')
    }
    const off = { ...keys[0]!.jwk, y: Buffer.from(Buffer.from(keys[0]!.jwk.y!, 'base64url').map((b, i) => (i === 31 ? b ^ 1 : b))).toString('base64url') }
    expect(await refused({ jwt: { keys: [off] } })).toContain('invalid configuration: jwt.keys[0]: the EC point is not on P-256')
  })

  it('accepts a PKCS#1 RSA PEM', async () => {
    const key = rsaKey()
    const { createPublicKey } = await import('node:crypto')
    const pem = createPublicKey(key.privateKey!).export({ format: 'pem', type: 'pkcs1' }).toString()
    const f = await load({ jwt: { keys: [{ pem }] } })
    expect((await f.request({ headers: bearer(signJwt(key, { exp: nowS() + 60 })) })).status).toBe(200)
  })

  it('refuses alg none, algorithms not allowed, a key of the wrong type, and malformed tokens', async () => {
    const hs = hmacKey('secret-one')
    const rs = rsaKey()
    const f = await load({ jwt: { keys: [hs.jwk, rs.jwk], algorithms: ['RS256'] } })
    const claims = { exp: nowS() + 60 }
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`
    expect(body(await f.request({ headers: bearer(none) })).reason).toBe('algorithm not allowed')
    expect(body(await f.request({ headers: bearer(signJwt(hs, claims)) })).reason).toBe('algorithm not allowed')
    expect((await f.request({ headers: bearer(signJwt(rs, claims)) })).status).toBe(200)
    // An RS256 header over an HMAC made with the RSA key's bytes (the classic confusion attack).
    const confused = signJwt(hmacKey(rs.pem!), claims, { alg: 'RS256' })
    expect(body(await f.request({ headers: bearer(confused) })).reason).toBe('invalid signature')
    for (const junk of ['abc', 'a.b', 'a.b.c.d', '!!!.e30.sig', `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.%%%.x`]) {
      const res = await f.request({ headers: bearer(junk) })
      expect(res.status, junk).toBe(401)
      expect(String(body(res).reason)).toMatch(/^malformed token/)
    }
    expect(body(await f.request({ headers: bearer(signJwt(rs, claims, { crit: ['exp'] })) })).reason).toBe('unsupported critical header')
  })

  it('picks the key by kid', async () => {
    const a = rsaKey('a')
    const b = rsaKey('b')
    const f = await load({ jwt: { keys: [a.jwk, b.jwk] } })
    expect((await f.request({ headers: bearer(signJwt(b, { exp: nowS() + 60 })) })).status).toBe(200)
    const wrongKid = signJwt(b, { exp: nowS() + 60 }, { kid: 'a' })
    expect(body(await f.request({ headers: bearer(wrongKid) })).reason).toBe('invalid signature')
    expect(body(await f.request({ headers: bearer(signJwt(b, { exp: nowS() + 60 }, { kid: 'zzz' })) })).reason).toBe('no key for this token')
  })
})

describe('auth: JWT claims', () => {
  const key = hmacKey('claims-secret')

  it('checks exp and nbf with the clock skew, iss and aud', async () => {
    const f = await load({ jwt: { keys: [key.jwk], clockSkewSeconds: 30, issuers: ['https://idp.test'], audiences: ['api', 'web'] } })
    const base = { iss: 'https://idp.test', aud: 'api' }
    const status = async (claims: Record<string, unknown>): Promise<string> => {
      const res = await f.request({ headers: bearer(signJwt(key, { ...base, ...claims })) })
      return res.status === 200 ? 'ok' : String(body(res).reason)
    }
    const now = nowS()
    expect(await status({ exp: now + 60 })).toBe('ok')
    expect(await status({ exp: now - 10 })).toBe('ok') // within the skew
    expect(await status({ exp: now - 120 })).toBe('token expired')
    expect(await status({ exp: now + 60, nbf: now + 10 })).toBe('ok')
    expect(await status({ exp: now + 60, nbf: now + 600 })).toBe('token not yet valid')
    expect(await status({})).toBe('token has no valid exp')
    expect(await status({ exp: 'soon' })).toBe('token has no valid exp')
    expect(await status({ exp: now + 60, iss: 'https://evil.test' })).toBe('issuer not allowed')
    expect(await status({ exp: now + 60, iss: undefined })).toBe('issuer not allowed')
    expect(await status({ exp: now + 60, aud: ['other', 'web'] })).toBe('ok')
    expect(await status({ exp: now + 60, aud: 'other' })).toBe('audience not allowed')
    expect(await status({ exp: now + 60, aud: undefined })).toBe('audience not allowed')
  })

  it('copies claims into headers (nested, numbers, arrays), removes forged ones, strips the token', async () => {
    const f = await load({
      jwt: {
        keys: [{ secret: 'claims-secret' }],
        requireExpiration: false,
        strip: true,
        claimsToHeaders: [
          { claim: 'sub', header: 'x-user' },
          { claim: 'tenant.id', header: 'X-Tenant' },
          { claim: 'roles', header: 'x-roles' },
          { claim: 'level', header: 'x-level' },
          { claim: 'ratio', header: 'x-ratio' },
          { claim: 'admin', header: 'x-admin' },
          { claim: 'absent', header: 'x-absent' },
        ],
      },
    })
    const token = signJwt(key, { sub: 'ada', tenant: { id: 't-9' }, roles: ['a', 'b'], level: 3, ratio: -2.125, admin: false })
    const res = await f.request({ headers: { ...bearer(token), 'x-user': 'mallory', 'x-absent': 'forged' } })
    expect(res.status).toBe(200)
    const up = res.upstreamRequest!.headers
    expect(up).toMatchObject({ 'x-user': 'ada', 'x-tenant': 't-9', 'x-roles': 'a,b', 'x-level': '3', 'x-ratio': '-2.125', 'x-admin': 'false' })
    expect(up['x-absent']).toBeUndefined()
    expect(up.authorization).toBeUndefined()
  })

  it('reads the token from a custom header without a scheme, or a query parameter', async () => {
    const f = await load({ jwt: { keys: [key.jwk], header: 'x-token', query: 'access_token', strip: true } })
    const token = signJwt(key, { exp: nowS() + 60 })
    expect((await f.request({ headers: { 'x-token': token } })).status).toBe(200)
    const q = await f.request({ path: `/p?access_token=${token}&x=1` })
    expect(q.status).toBe(200)
    expect(q.upstreamRequest?.headers[':path']).toBe('/p?x=1')
    const missing = await f.request({ headers: bearer(token) })
    expect(missing.status).toBe(401)
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="wasmgate"')
  })
})

describe('auth: per-path rules', () => {
  const jwtKey = hmacKey('rules-secret')
  const config = {
    realm: 'shop',
    apiKeys: { keys: [{ name: 'svc', sha256: sha256Hex('svc-key') }] },
    jwt: { keys: [jwtKey.jwk] },
    rules: [
      { prefix: '/health', public: true },
      { prefix: '/docs', methods: ['GET', 'HEAD'], public: true },
      { prefix: '/admin', methods: ['DELETE'], deny: true },
      { prefix: '/admin', require: ['jwt'], claims: { scope: 'admin' } },
      { path: '/internal', require: ['apiKey'] },
      { prefix: '/reports', require: ['apiKey', 'jwt'], claims: { scope: 'reports' } },
    ],
  }
  const token = (claims: Record<string, unknown> = {}): string => signJwt(jwtKey, { exp: nowS() + 60, ...claims })

  it('lets public paths through without credentials, per method', async () => {
    const f = await load(config)
    expect((await f.request({ path: '/health/live' })).status).toBe(200)
    expect((await f.request({ path: '/docs/a' })).status).toBe(200)
    const post = await f.request({ method: 'POST', path: '/docs/a' })
    expect(post.status).toBe(401)
    expect(post.headerList.filter(([k]) => k === 'www-authenticate').map(([, v]) => v)).toEqual(['Bearer realm="shop"', 'ApiKey realm="shop"'])
  })

  it('denies by rule, requires a given credential, and checks required claims (403)', async () => {
    const f = await load(config)
    const del = await f.request({ method: 'DELETE', path: '/admin/users', headers: bearer(token({ scope: 'admin' })) })
    expect(del.status).toBe(403)
    expect(body(del)).toMatchObject({ error: 'forbidden', reason: 'denied by rule' })
    expect((await f.request({ path: '/admin/x', headers: bearer(token({ scope: 'read admin' })) })).status).toBe(200)
    const scope = await f.request({ path: '/admin/x', headers: bearer(token({ scope: 'read' })) })
    expect(scope.status).toBe(403)
    expect(scope.headers['www-authenticate']).toBe('Bearer realm="shop", error="insufficient_scope"')
    expect((await f.request({ path: '/admin/x', headers: { 'x-api-key': 'svc-key' } })).status).toBe(401)
    const keyOnly = await f.request({ path: '/reports', headers: { 'x-api-key': 'svc-key' } })
    expect(keyOnly.status).toBe(403)
    expect(body(keyOnly).reason).toBe('this path needs a JWT with claims')
    expect((await f.request({ path: '/reports', headers: { 'x-api-key': 'svc-key', ...bearer(token({ scope: 'reports' })) } })).status).toBe(200)
    expect((await f.request({ path: '/reports', headers: bearer(token({ scope: 'reports' })) })).status).toBe(200)
    expect((await f.request({ path: '/internal', headers: { 'x-api-key': 'svc-key' } })).status).toBe(200)
    expect((await f.request({ path: '/internal', headers: bearer(token()) })).status).toBe(401)
    expect((await f.request({ path: '/internal/more', headers: bearer(token()) })).status).toBe(200) // fallback: any credential
    expect(await f.metric('auth_denied_forbidden')).toBe(3)
  })

  it('refuses dot segments and encoded separators that would dodge a rule', async () => {
    const f = await load(config)
    for (const path of ['/health/../admin', '/health/%2e%2e/admin', '/health/.%2E/admin', '/health%2fadmin', '/health/./x']) {
      const res = await f.request({ path })
      expect(res.status, path).toBe(400)
    }
    expect((await f.request({ path: '/health/..x' })).status).toBe(200)
  })
})

describe('auth: configuration errors', () => {
  it('names every wrong field', async () => {
    const logs = await refused({
      realm: 'a"b',
      apiKeys: { keys: [{ name: 'x', sha256: 'abc' }], header: ':path' },
      jwt: { keys: [{ kty: 'RSA', n: 'AQAB', e: 'AQAB' }, { kty: 'EC', crv: 'P-384', x: 'AA', y: 'AA' }, { pem: 'nope' }], algorithms: ['HS512'], clockSkewSeconds: -1, issuer: 'typo' },
      extAuthz: { cluster: 'authz', failureMode: 'sometimes', statusOnError: 200 },
      rules: [{ prefix: 'admin', require: ['magic'] }, { public: true }],
    })
    expect(logs).toEqual(expect.arrayContaining([
      'invalid configuration: realm: must not contain a double quote (got "a\\"b")'.replace('\\"', '"'),
      'invalid configuration: apiKeys.header: must be a regular header, not a pseudo-header (got ":path")',
      'invalid configuration: apiKeys.keys[0].sha256: must be 64 hex digits (the SHA-256 of the key) (got "abc")',
      'invalid configuration: jwt.keys[0]: RSA modulus must be 2048 to 8192 bits',
      'invalid configuration: jwt.keys[1]: EC keys must use crv P-256',
      "invalid configuration: jwt.keys[2]: 'pem' is not a PEM block",
      'invalid configuration: jwt.algorithms[0]: must be HS256, RS256 or ES256 (got "HS512")',
      'invalid configuration: jwt.clockSkewSeconds: must be between 0 and 3600 (got -1)',
      expect.stringMatching(/^invalid configuration: jwt.issuer: unknown field/),
      'invalid configuration: extAuthz.failureMode: must be "open" or "closed" (got "sometimes")',
      'invalid configuration: extAuthz.statusOnError: must be an HTTP error status (400-599) (got 200)',
      'invalid configuration: rules[0].prefix: must start with / (got "admin")',
      'invalid configuration: rules[0].require[0]: must be apiKey, jwt or extAuthz (got "magic")',
      'invalid configuration: rules[1].prefix: is required: a rule needs a prefix or a path',
    ]))
  })

  it('needs at least one mechanism, and rules may only require configured ones', async () => {
    expect(await refused({})).toContain('invalid configuration: jwt: configure at least one of apiKeys, jwt, extAuthz')
    expect(await refused({ apiKeys: { keys: [{ name: 'a', sha256: sha256Hex('a') }] }, rules: [{ prefix: '/', require: ['jwt'] }] }))
      .toContain('invalid configuration: rules[0].require[0]: jwt is not configured (add a jwt section)')
  })
})
