import { describe, expect, it } from 'vitest'
import { Status } from '../../../host/abi/constants.ts'
import { GuestMemory } from '../../../host/abi/memory.ts'

function memoryOf(pages: number): { wasm: WebAssembly.Memory; mem: GuestMemory; allocs: number[] } {
  const wasm = new WebAssembly.Memory({ initial: pages, maximum: 16 })
  const mem = new GuestMemory()
  const allocs: number[] = []
  let next = 1024
  mem.bind(wasm, (size) => {
    allocs.push(size)
    const p = next
    next += size
    return p
  })
  return { wasm, mem, allocs }
}

describe('GuestMemory', () => {
  it('bounds-checks every access with unsigned pointers and lengths', () => {
    const { mem } = memoryOf(1)
    expect(mem.inBounds(0, 65536)).toBe(true)
    expect(mem.inBounds(1, 65536)).toBe(false)
    expect(mem.inBounds(-1, 1)).toBe(false) // 0xffffffff as a pointer
    expect(mem.inBounds(0, -1)).toBe(false)
    expect(mem.view(65530, 10)).toBeUndefined()
    expect(mem.writeU32(65533, 1)).toBe(false)
    expect(mem.writeU64(65530, 1n)).toBe(false)
    expect(mem.readU32(65536)).toBeUndefined()
    expect(mem.utf8(65535, 2)).toBeUndefined()
  })

  it('sees memory growth (views are rebuilt when the buffer changes)', () => {
    const { wasm, mem } = memoryOf(1)
    expect(mem.inBounds(70000, 4)).toBe(false)
    wasm.grow(1)
    expect(mem.writeU32(70000, 0xdeadbeef)).toBe(true)
    expect(mem.readU32(70000)).toBe(0xdeadbeef)
  })

  it('copyOut allocates in the guest, copies, and writes pointer and size; empty writes (0, 0)', () => {
    const { mem, allocs } = memoryOf(1)
    expect(mem.copyOut(Buffer.from('hello'), 16, 20)).toBe(Status.Ok)
    const ptr = mem.readU32(16) as number
    expect(mem.readU32(20)).toBe(5)
    expect(mem.utf8(ptr, 5)).toBe('hello')
    expect(mem.copyOut(new Uint8Array(0), 16, 20)).toBe(Status.Ok)
    expect([mem.readU32(16), mem.readU32(20)]).toEqual([0, 0])
    expect(allocs).toEqual([5])
  })

  it('copyOut checks the return pointers before allocating, and refuses an allocator returning 0 or garbage', () => {
    const { mem, allocs } = memoryOf(1)
    expect(mem.copyOut(Buffer.from('x'), 65535, 20)).toBe(Status.InvalidMemoryAccess)
    expect(allocs).toEqual([])
    const wasm = new WebAssembly.Memory({ initial: 1 })
    const zero = new GuestMemory()
    zero.bind(wasm, () => 0)
    expect(zero.copyOut(Buffer.from('x'), 16, 20)).toBe(Status.InvalidMemoryAccess)
    const garbage = new GuestMemory()
    garbage.bind(wasm, () => 65535)
    expect(garbage.copyOut(Buffer.from('xyz'), 16, 20)).toBe(Status.InvalidMemoryAccess)
  })

  it('copyOut works when the allocator grows memory', () => {
    const wasm = new WebAssembly.Memory({ initial: 1, maximum: 4 })
    const mem = new GuestMemory()
    mem.bind(wasm, (size) => {
      wasm.grow(1)
      return 65536 + 8 + size * 0
    })
    expect(mem.copyOut(Buffer.from('grown'), 16, 20)).toBe(Status.Ok)
    expect(mem.utf8(mem.readU32(16) as number, 5)).toBe('grown')
  })

  it('headerName lowercases, and tells names apart by their bytes wherever they sit', () => {
    const { wasm, mem } = memoryOf(1)
    const put = (at: number, text: string) => Buffer.from(wasm.buffer).write(text, at, 'latin1')
    put(100, 'X-Request-ID')
    expect(mem.headerName(100, 12)).toBe('x-request-id')
    expect(mem.headerName(100, 12)).toBe('x-request-id')
    put(100, 'Traceparent!')
    expect(mem.headerName(100, 12)).toBe('traceparent!')
    // Many names at once: every one still reads back as itself, whatever slots they share.
    const names = Array.from({ length: 200 }, (_, i) => `X-Name-${i}`)
    names.forEach((n, i) => put(1000 + i * 16, n))
    for (let round = 0; round < 2; round++) names.forEach((n, i) => expect(mem.headerName(1000 + i * 16, n.length)).toBe(n.toLowerCase()))
    const long = `X-${'Long'.repeat(20)}`
    put(5000, long)
    expect(mem.headerName(5000, long.length)).toBe(long.toLowerCase())
    expect(mem.headerName(65530, 10)).toBeUndefined()
  })

  it('copyOutLatin1 writes short and long values byte for byte, also after the allocator grew memory', () => {
    const { mem } = memoryOf(1)
    for (const value of ['1', 'caf\u00e9', `v=${'\u00ff'.repeat(40)}`]) {
      expect(mem.copyOutLatin1(value, 16, 20)).toBe(Status.Ok)
      expect(mem.readU32(20)).toBe(value.length)
      expect(mem.latin1(mem.readU32(16) as number, value.length)).toBe(value)
    }
    const wasm = new WebAssembly.Memory({ initial: 1, maximum: 4 })
    const grown = new GuestMemory()
    grown.bind(wasm, () => {
      wasm.grow(1)
      return 65536 + 8
    })
    expect(grown.copyOutLatin1('short', 16, 20)).toBe(Status.Ok)
    expect(grown.latin1(65536 + 8, 5)).toBe('short')
  })
})
