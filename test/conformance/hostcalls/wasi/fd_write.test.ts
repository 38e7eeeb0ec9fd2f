// wasi_snapshot_preview1.fd_write(fd, iovs, iovs_len, ret_nwritten): fd 1 logs at INFO, fd 2 at
// ERROR, any other fd is BADF (8) (spec 0.2.1 "Logging"; reference §1.8).
import { describe, expect, it } from 'vitest'
import { startHostcalls, send, callHeaders, report, OOB_PTR, expectEachOob, waitLine, logRecords, newTag } from '../../support/hostcalls.ts'

const write = (fd: number, msg: string) => ({ call: 'fd_write', fd, msg })

describe('fd_write', () => {
  it('logs what the guest writes to stdout and stderr, and reports the bytes written', async () => {
    const { gw } = await startHostcalls()
    const tag = newTag('fd')
    const res = await send(gw, { headers: callHeaders(write(1, `${tag}-stdout`), write(2, `${tag}-stderr`)) })
    expect(report(res, 1)).toMatchObject({ status: 0, u32: Buffer.byteLength(`${tag}-stdout`) })
    expect(report(res, 2)).toMatchObject({ status: 0, u32: Buffer.byteLength(`${tag}-stderr`) })
    await waitLine(gw, `${tag}-stdout`)
    await waitLine(gw, `${tag}-stderr`)
    const out = logRecords(gw, `${tag}-stdout`)[0]!
    const err = logRecords(gw, `${tag}-stderr`)[0]!
    const rank = (v: unknown) => (typeof v === 'number' ? v : ['trace', 'debug', 'info', 'warn', 'error', 'fatal'].indexOf(String(v)))
    expect(rank(err.level)).toBeGreaterThan(rank(out.level))
  })

  it('returns BADF (8) for any other fd', async () => {
    const { gw } = await startHostcalls()
    const res = await send(gw, { headers: callHeaders(write(3, 'x'), write(0, 'x')) })
    expect(report(res, 1).status).toBe(8)
    expect(report(res, 2).status).toBe(8)
  })

  it('returns FAULT (21) for out-of-bounds iovecs and never throws into the host', async () => {
    const { gw } = await startHostcalls()
    await expectEachOob(gw, write(1, 'x'), [
      [1, OOB_PTR],
      [3, OOB_PTR],
    ], 21)
  })
})
