// What differs between ABI versions (reference §1.7): in 0.1.0 get_header_map_value on a missing
// key is Ok with an empty value and header callbacks have 2 parameters; in 0.2.0 it is NotFound
// and headers callbacks get end_of_stream.
import { describe, expect, it } from 'vitest'
import { startHostcalls, send } from '../../support/hostcalls.ts'
import { watFixture } from '../../support/wat.ts'
import { runV010 } from './abi-0_1_0-support.ts'

describe('ABI version differences', () => {
  it('0.1.0: a missing header is Ok with an empty value', async () => {
    const { status } = await runV010()
    expect(status(0)).toBe(0)
    expect(status(3)).toBe(0)
  })

  it('0.2.0: a missing header is NotFound, end_of_stream is passed to on_request_headers', async () => {
    const { gw } = await startHostcalls({ source: await watFixture('abi-0_2_0') })
    const get = await send(gw)
    expect(get.status).toBe(200)
    expect(get.json().headers['x-v020']).toBe('b')
    expect(get.json().headers['x-v020-eos']).toBe('b')
    const post = await send(gw, { method: 'POST', body: 'with body' })
    expect(post.json().headers['x-v020-eos']).toBe('a')
  })
})
