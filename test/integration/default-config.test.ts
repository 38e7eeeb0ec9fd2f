/**
 * The embedded default (`wasmgate serve` with no config) as a new user meets it: the demo
 * upstream behind the four production filters, each visible with the curl lines serve prints.
 */
import { request } from 'undici'
import { describe, expect, it, onTestFinished } from 'vitest'
import { defaultConfig, DEMO_API_KEY } from '../../host/config/default.ts'
import { startDemoUpstream } from '../../host/server/demo-upstream.ts'
import { startGateway } from '../helpers/gateway.ts'

async function startDefault() {
  const demo = await startDemoUpstream()
  onTestFinished(() => demo.close())
  return startGateway(defaultConfig(demo.url))
}

interface Echo {
  path: string
  headers: Record<string, string>
}

describe('embedded default config', () => {
  it('echoes a request through all four filters, with trace context and x-served-by', async () => {
    const gw = await startDefault()
    const res = await request(`${gw.url}/hello`, { method: 'POST', body: 'hi' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['x-served-by']).toBe('wasmgate')
    const echo = (await res.body.json()) as Echo & { body: string }
    expect(echo.body).toBe('hi')
    expect(echo.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/)
    expect(echo.headers['x-request-id']).toBe(res.headers['x-request-id'])
  })

  it('answers /private 401 without the demo key and passes it with the key', async () => {
    const gw = await startDefault()
    const denied = await request(`${gw.url}/private`)
    expect(denied.statusCode).toBe(401)
    expect(denied.headers['www-authenticate']).toBeDefined()
    await denied.body.dump()
    const allowed = await request(`${gw.url}/private`, { headers: { 'x-api-key': DEMO_API_KEY } })
    expect(allowed.statusCode).toBe(200)
    expect(((await allowed.body.json()) as Echo).headers['x-consumer']).toBe('demo')
  })

  it('limits /limited to 5 requests a minute with 429 and ratelimit headers', async () => {
    const gw = await startDefault()
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) {
      const res = await request(`${gw.url}/limited`)
      statuses.push(res.statusCode)
      if (res.statusCode === 429) expect(res.headers['retry-after']).toBeDefined()
      await res.body.dump()
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429])
  })

  it('rewrites /old/ to /new/ and exposes the filters metrics at /stats/prometheus', async () => {
    const gw = await startDefault()
    const res = await request(`${gw.url}/old/thing?x=1`)
    expect(((await res.body.json()) as Echo).path).toBe('/new/thing?x=1')
    const stats = await (await request(`${gw.adminUrl}/stats/prometheus`)).body.text()
    expect(stats).toMatch(/wasmcustom_\w+/)
    expect(stats).toContain('route="demo"')
  })
})
