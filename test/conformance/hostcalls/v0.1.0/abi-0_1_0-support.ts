import { startHostcalls, send } from '../../support/hostcalls.ts'
import { watFixture } from '../../support/wat.ts'

/** Runs one request through the 0.1.0 fixture; returns the upstream echo and the response. */
export async function runV010(config = 'v010-config') {
  const { gw } = await startHostcalls({ source: await watFixture('abi-0_1_0'), config })
  const res = await send(gw)
  const echo = res.status === 200 ? res.json() : undefined
  // x-v010: get_header_map_value(missing), continue_request, clear_route_cache, size != 0
  const letters = String(echo?.headers?.['x-v010'] ?? '')
  const status = (i: number) => (letters.length > i ? letters.charCodeAt(i) - 97 : NaN)
  return { res, echo, status, gw }
}
