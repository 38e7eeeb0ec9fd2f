// The capability matrix: each host call in each step, allowed (Ok) or which status it returns.
// Expectations follow Envoy (envoy context.cc getMap/getConstMap/getBuffer, setProperty,
// cpp-host get_buffer_bytes; reference §1.4, §2.2, §3.2):
// - header maps: BadArgument when the map does not exist in that step (root contexts have none;
//   response headers do not exist during the request); get_header_map_pairs is Ok (empty) instead;
// - PLUGIN_CONFIGURATION only in on_configure, else NotFound; VM_CONFIGURATION everywhere;
// - HTTP_CALL_RESPONSE headers/body only in on_http_call_response;
// - request properties and set_property need a stream: NotFound on root contexts;
// - logging, time, shared data, queues, metrics, status, WASI: everywhere.
// The filter runs every call of its probe list in a step and logs "probe ... id=... status=N".
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, probeResults, newTag, waitLine, type Gateway } from './support/hostcalls.ts'

const PROBE_COUNT = 39
const OK = 0, NOT_FOUND = 1, BAD_ARGUMENT = 2

const everywhere: Record<string, number> = {
  log: OK, get_log_level: OK, time: OK, buf6: OK, shset: OK, shget: OK, qreg: OK, qresolve: OK, metric: OK,
  get_status: OK, foreign: NOT_FOUND, prop_plugin_name: OK, random: OK, clock: OK,
}
const noRequestMaps: Record<string, number> = {
  hget0: BAD_ARGUMENT, hget1: BAD_ARGUMENT, hget2: BAD_ARGUMENT, hget3: BAD_ARGUMENT,
  hsize0: BAD_ARGUMENT, hsize2: BAD_ARGUMENT, hadd0: BAD_ARGUMENT, hadd2: BAD_ARGUMENT,
  hrepl0: BAD_ARGUMENT, hrepl2: BAD_ARGUMENT, hrem0: BAD_ARGUMENT, hrem2: BAD_ARGUMENT,
  hpairs0: OK, hpairs2: OK,
}
const rootOnly: Record<string, number> = { ...noRequestMaps, prop_request_path: NOT_FOUND, setprop: NOT_FOUND }
const noCallout: Record<string, number> = { hget6: BAD_ARGUMENT, buf4: NOT_FOUND }
const requestPhase: Record<string, number> = {
  hget0: OK, hpairs0: OK, hsize0: OK, hadd0: OK, hrepl0: OK, hrem0: OK,
  hget2: BAD_ARGUMENT, hsize2: BAD_ARGUMENT, hadd2: BAD_ARGUMENT, hrepl2: BAD_ARGUMENT, hrem2: BAD_ARGUMENT,
  hget1: BAD_ARGUMENT, hget3: BAD_ARGUMENT, prop_request_path: OK, setprop: OK,
}
const responsePhase: Record<string, number> = {
  hget0: OK, hget2: OK, hpairs2: OK, hsize2: OK, hadd2: OK, hrepl2: OK, hrem2: OK, hget3: BAD_ARGUMENT, prop_request_path: OK, setprop: OK,
}

const EXPECTED: Record<string, Record<string, number>> = {
  context_create: { ...everywhere, ...rootOnly, ...noCallout, buf7: NOT_FOUND },
  vm_start: { ...everywhere, ...rootOnly, ...noCallout, buf7: NOT_FOUND },
  configure: { ...everywhere, ...rootOnly, ...noCallout, buf7: OK },
  tick: { ...everywhere, ...rootOnly, ...noCallout, buf7: NOT_FOUND },
  queue_ready: { ...everywhere, ...rootOnly, ...noCallout, buf7: NOT_FOUND },
  http_call_response: { ...everywhere, ...rootOnly, hget6: OK, hpairs6: OK, buf4: OK, buf7: NOT_FOUND },
  request_headers: { ...everywhere, ...requestPhase, ...noCallout, buf7: NOT_FOUND },
  request_body: { ...everywhere, ...requestPhase, ...noCallout, buf7: NOT_FOUND, buf0: OK },
  response_headers: { ...everywhere, ...responsePhase, ...noCallout, buf7: NOT_FOUND },
  response_body: { ...everywhere, ...responsePhase, ...noCallout, buf7: NOT_FOUND, buf1: OK },
  log: { ...everywhere, ...noCallout, hget0: OK, hget2: OK, buf7: NOT_FOUND },
  done: { ...everywhere, ...noCallout, buf7: NOT_FOUND },
}

function check(step: string, got: Map<string, number>): string[] {
  const problems: string[] = []
  for (const [id, want] of Object.entries(EXPECTED[step]!)) {
    const have = got.get(id)
    if (have !== want) problems.push(`${step} × ${id}: got ${have}, expected ${want}`)
  }
  return problems
}

async function rootSteps(gw: Gateway): Promise<string[]> {
  const problems: string[] = []
  for (const step of ['context_create', 'vm_start', 'configure', 'tick']) problems.push(...check(step, await probeResults(gw, 'root', step, PROBE_COUNT)))
  return problems
}

describe('capabilities: each hostcall in each step', () => {
  it('root steps: context_create, vm_start, configure, tick', async () => {
    const { gw } = await startHostcalls({ vmConfig: 'probe=context_create,vm_start', config: 'probe=configure,tick tick=20' })
    const problems = await rootSteps(gw)
    expect(problems).toEqual([])
  })

  it('request and response steps, on_log and on_done', async () => {
    const { gw } = await startHostcalls()
    const tag = newTag('cap')
    const res = await send(gw, {
      method: 'POST',
      body: 'a body',
      headers: { 'x-test-tag': tag, 'x-test-probe': 'request_headers,request_body,response_headers,response_body,log,done' },
    })
    expect(res.status).toBe(200)
    const problems: string[] = []
    for (const step of ['request_headers', 'request_body', 'response_headers', 'response_body', 'log', 'done']) {
      problems.push(...check(step, await probeResults(gw, tag, step, PROBE_COUNT)))
    }
    expect(problems).toEqual([])
  })

  it('on_http_call_response (root context, call response available)', async () => {
    const { gw } = await startHostcalls({ config: 'probe=http_call_response' })
    const res = await send(gw, { headers: { 'x-test-flow': 'callout', 'x-test-cluster': 'callout' } })
    expect(res.status).toBe(200)
    expect(check('http_call_response', await probeResults(gw, 'root', 'http_call_response', PROBE_COUNT))).toEqual([])
  })

  it('on_queue_ready (root context)', async () => {
    const { gw } = await startHostcalls({ config: 'probe=queue_ready queue=cap-q' })
    const id = Number(/id=(\d+)/.exec(await waitLine(gw, 'queue registered id='))![1])
    await send(gw, { headers: callHeaders({ call: 'proxy_enqueue_shared_queue', id, value: 'x' }) })
    expect(check('queue_ready', await probeResults(gw, 'root', 'queue_ready', PROBE_COUNT))).toEqual([])
  })

  it('stream actions by step: send_local_response works before response headers leave', async () => {
    const { gw } = await startHostcalls()
    for (const step of ['request_headers', 'response_headers']) {
      const res = await send(gw, { headers: callHeaders({ call: 'proxy_send_local_response', code: 451, body: step, on: step }) })
      expect(res.status, step).toBe(451)
      expect(res.text, step).toBe(step)
    }
    const body = await send(gw, { method: 'POST', body: 'b', headers: { 'x-test-hold': 'request_body', ...callHeaders({ call: 'proxy_send_local_response', code: 451, body: 'request_body', on: 'request_body', eos_only: 1 }) } })
    expect(body.status).toBe(451)
  })
})
