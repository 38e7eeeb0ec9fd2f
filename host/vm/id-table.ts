/**
 * @module
 * Objects by an id that keeps growing (context ids, http call tokens): an open-addressed table
 * (linear probing, deletion by backward shift) over one array that only grows. Ids are spread by
 * a multiplicative hash: consecutive ids in their home slots would form one long run that every
 * deletion scans to its end.
 *
 * Why not a Map: every request adds and deletes a context (and may add and delete a call). A V8 Map rehashes into a new table
 * every few hundred such pairs, and the old table keeps pointers to the new one and to the
 * contexts it held. Once one of those tables is promoted and dies, the scavenger still treats
 * it as alive until the next full GC, so every later table and every request graph it points to
 * is promoted too. Measured through the gateway with a no-op filter: a full GC every ~0.75 s,
 * scavenges 5x longer, a fifth of the throughput gone. A table whose slots are cleared on
 * removal holds nothing it no longer needs.
 */

export interface HasId {
  readonly id: number
}

const MIN_CAPACITY = 16
/** 2^32 / golden ratio: consecutive ids land far apart. */
const SPREAD = 0x9e3779b1

export class IdTable<T extends HasId> {
  #slots: (T | undefined)[] = new Array<T | undefined>(MIN_CAPACITY).fill(undefined)
  #mask = MIN_CAPACITY - 1
  /** 32 - log2(capacity): the hash keeps the top bits of the product. */
  #shift = 32 - Math.log2(MIN_CAPACITY)
  #size = 0

  get size(): number {
    return this.#size
  }

  get(id: number): T | undefined {
    const slots = this.#slots
    const mask = this.#mask
    for (let i = this.#home(id); ; i = (i + 1) & mask) {
      const entry = slots[i]
      if (entry === undefined || entry.id === id) return entry
    }
  }

  /** Adds `entry`, replacing one with the same id. */
  set(entry: T): void {
    // At most half full, so a probe always meets an empty slot.
    if ((this.#size + 1) * 2 > this.#slots.length) this.#grow()
    const slots = this.#slots
    const mask = this.#mask
    let i = this.#home(entry.id)
    while (slots[i] !== undefined && (slots[i] as T).id !== entry.id) i = (i + 1) & mask
    if (slots[i] === undefined) this.#size++
    slots[i] = entry
  }

  delete(id: number): boolean {
    const slots = this.#slots
    const mask = this.#mask
    let i = this.#home(id)
    for (;;) {
      const entry = slots[i]
      if (entry === undefined) return false
      if (entry.id === id) break
      i = (i + 1) & mask
    }
    // Backward shift: move later entries of the probe run into the hole so lookups stay exact.
    let hole = i
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const entry = slots[j]
      if (entry === undefined) break
      const home = this.#home(entry.id)
      // `entry` may fill the hole when its home is not cyclically within (hole, j].
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        slots[hole] = entry
        hole = j
      }
    }
    slots[hole] = undefined
    this.#size--
    return true
  }

  clear(): void {
    this.#slots.fill(undefined)
    this.#size = 0
  }

  /** The entries in no particular order (a copy: the caller may add and delete while using it). */
  values(): T[] {
    const out: T[] = []
    for (const entry of this.#slots) if (entry !== undefined) out.push(entry)
    return out
  }

  #home(id: number): number {
    return Math.imul(id, SPREAD) >>> this.#shift
  }

  #grow(): void {
    const old = this.#slots
    this.#slots = new Array<T | undefined>(old.length * 2).fill(undefined)
    this.#mask = this.#slots.length - 1
    this.#shift--
    this.#size = 0
    for (const entry of old) if (entry !== undefined) this.set(entry)
    // The old array may already be in the old generation: leave it holding nothing.
    old.fill(undefined)
  }
}
