import { describe, expect, it } from 'vitest'
import { IdTable } from '../../../host/vm/id-table.ts'

interface Entry {
  readonly id: number
  readonly tag: string
}

function entry(id: number, tag = `c${id}`): Entry {
  return { id, tag }
}

/** Every id the reference map holds is found with the same entry, and no other id is. */
function agrees(table: IdTable<Entry>, reference: Map<number, Entry>, probeUpTo: number): void {
  expect(table.size).toBe(reference.size)
  for (let id = 0; id <= probeUpTo; id++) expect(table.get(id)).toBe(reference.get(id))
  expect(table.values().map((e) => e.id).sort((a, b) => a - b)).toEqual([...reference.keys()].sort((a, b) => a - b))
}

describe('IdTable', () => {
  it('finds, replaces and deletes by id', () => {
    const t = new IdTable<Entry>()
    t.set(entry(1))
    t.set(entry(17))
    t.set(entry(33))
    expect(t.get(17)?.tag).toBe('c17')
    const replaced = entry(17, 'again')
    t.set(replaced)
    expect(t.size).toBe(3)
    expect(t.get(17)).toBe(replaced)
    expect(t.delete(1)).toBe(true)
    expect(t.delete(1)).toBe(false)
    // Whatever probe runs 1 was part of, the others are still found once it is gone.
    expect(t.get(17)).toBe(replaced)
    expect(t.get(33)?.tag).toBe('c33')
    expect(t.get(2)).toBeUndefined()
    expect(t.size).toBe(2)
  })

  it('behaves like a Map under a sliding window of ids with long-lived ones among them', () => {
    // What a proxy does: ids grow, most live for a few requests, a few (root contexts, slow
    // streams) live for the whole run and collide with newer ids at every capacity.
    const t = new IdTable<Entry>()
    const reference = new Map<number, Entry>()
    let seed = 12345
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed % n
    }
    for (const id of [1, 2, 64, 256]) {
      const e = entry(id)
      t.set(e)
      reference.set(id, e)
    }
    let next = 1000
    const window: number[] = []
    for (let step = 0; step < 20_000; step++) {
      if (window.length < 40 || random(3) !== 0) {
        const e = entry(next++)
        t.set(e)
        reference.set(e.id, e)
        window.push(e.id)
      }
      if (window.length > 0 && random(2) === 0) {
        const id = window.splice(random(window.length), 1)[0] as number
        expect(t.delete(id)).toBe(true)
        reference.delete(id)
      }
      if (step % 2_000 === 0) agrees(t, reference, next + 10)
    }
    agrees(t, reference, next + 10)
    for (const id of [...reference.keys()]) expect(t.delete(id)).toBe(true)
    expect(t.size).toBe(0)
    expect(t.values()).toEqual([])
  })

  it('grows past its initial capacity and keeps every entry', () => {
    const t = new IdTable<Entry>()
    for (let id = 1; id <= 1000; id++) t.set(entry(id * 16))
    expect(t.size).toBe(1000)
    for (let id = 1; id <= 1000; id++) expect(t.get(id * 16)?.id).toBe(id * 16)
    for (let id = 1; id <= 1000; id += 2) t.delete(id * 16)
    for (let id = 1; id <= 1000; id++) expect(t.get(id * 16)?.id).toBe(id % 2 === 0 ? id * 16 : undefined)
  })

  it('takes ids up to 2^32 - 1 (http call tokens wrap there)', () => {
    const t = new IdTable<Entry>()
    const ids = [0xfffffffc, 0xfffffff8, 0x80000000, 0x7ffffffc, 4, 8]
    for (const id of ids) t.set(entry(id))
    for (const id of ids) expect(t.get(id)?.id).toBe(id)
    expect(t.delete(0x80000000)).toBe(true)
    expect(t.get(0x80000000)).toBeUndefined()
    expect(t.get(0xfffffffc)?.id).toBe(0xfffffffc)
    expect(t.size).toBe(ids.length - 1)
  })
})
