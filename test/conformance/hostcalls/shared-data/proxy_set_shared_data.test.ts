// proxy_set_shared_data(key, value, cas): Envoy's exact CAS semantics (reference §3.6):
// cas 0 always writes; a non-zero cas must match, else CasMismatch; on a missing key the cas is
// ignored; every write makes a new non-zero cas. Scope: per vm_id (filters sharing a vmId share
// data, others do not).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, Status, OOB_PTR, HUGE_LEN, expectEachOob, newTag, HOSTCALLS_WASM, callHeadersFor } from '../../support/hostcalls.ts'

const get = (key: string) => ({ call: 'proxy_get_shared_data', key })
const set = (key: string, value: string, cas: number | string = 0) => ({ call: 'proxy_set_shared_data', key, value, cas })

describe('proxy_set_shared_data', () => {
  it('implements compare-and-swap exactly like Envoy', async () => {
    const { gw } = await startHostcalls()
    const key = newTag('cas')
    // insert with a bogus cas: ignored on insert
    let res = await send(gw, { headers: callHeaders(set(key, 'v1', 777), get(key)) })
    expect(report(res, 1).status).toBe(Status.Ok)
    const cas1 = report(res, 2).u32b!
    expect(cas1).not.toBe(0)
    // wrong cas: mismatch, value unchanged
    res = await send(gw, { headers: callHeaders(set(key, 'v2', cas1 + 1000), get(key)) })
    expect(report(res, 1).status).toBe(Status.CasMismatch)
    expect(report(res, 2).text).toBe('v1')
    // right cas: written, new cas
    res = await send(gw, { headers: callHeaders(set(key, 'v3', cas1), get(key)) })
    expect(report(res, 1).status).toBe(Status.Ok)
    expect(report(res, 2).text).toBe('v3')
    const cas3 = report(res, 2).u32b!
    expect(cas3).not.toBe(cas1)
    expect(cas3).not.toBe(0)
    // stale cas now mismatches; cas 0 always writes
    res = await send(gw, { headers: callHeaders(set(key, 'v4', cas1), set(key, 'v5', 0), get(key)) })
    expect(report(res, 1).status).toBe(Status.CasMismatch)
    expect(report(res, 2).status).toBe(Status.Ok)
    expect(report(res, 3).text).toBe('v5')
  })

  it('shares data between filters with the same vmId and isolates other vmIds', async () => {
    const filter = (name: string, hdr: string, vmId: string) => ({ name, source: HOSTCALLS_WASM, vmId, config: `hdr=${hdr}` })
    const { gw } = await startHostcalls({
      config: 'hdr=x-a',
      vmId: 'shared-vm',
      extraFilters: [filter('same-vm', 'x-b', 'shared-vm'), filter('other-vm', 'x-c', 'other-vm')],
      routeFilters: ['hostcalls', 'same-vm', 'other-vm'],
    })
    const key = newTag('scope')
    const res = await send(gw, { headers: { ...callHeadersFor('x-a', set(key, 'mine')), ...callHeadersFor('x-b', get(key)), ...callHeadersFor('x-c', get(key)) } })
    expect(res.status).toBe(200)
    expect(report(res, 1, 'x-a-hc-').status).toBe(Status.Ok)
    expect(report(res, 1, 'x-b-hc-')).toMatchObject({ status: Status.Ok, text: 'mine' })
    expect(report(res, 1, 'x-c-hc-').status).toBe(Status.NotFound)
  })

  it('rejects out-of-bounds pointers and lengths with InvalidMemoryAccess', async () => {
    const { gw } = await startHostcalls()
    await expectEachOob(gw, set('k', 'v'), [
      [0, OOB_PTR],
      [1, HUGE_LEN],
      [2, OOB_PTR],
      [3, HUGE_LEN],
    ])
  })
})
