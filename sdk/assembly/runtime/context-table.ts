// Context id -> context object. A small open-addressing table instead of Map<u32, ...>: ids
// are never 0 and never reused by the host, and this is about a third of Map's code size.
import { BaseContext } from "../context"

const EMPTY: u32 = 0
const DELETED: u32 = u32.MAX_VALUE

export class ContextTable {
  keys: StaticArray<u32> = new StaticArray<u32>(16)
  values: StaticArray<BaseContext | null> = new StaticArray<BaseContext | null>(16)
  used: i32 = 0 // live + deleted slots

  private slot(id: u32): i32 {
    const mask = this.keys.length - 1
    let i = <i32>(id * 0x9e3779b1) & mask
    let k = unchecked(this.keys[i])
    while (k != id && k != EMPTY) {
      i = (i + 1) & mask
      k = unchecked(this.keys[i])
    }
    return i
  }

  get(id: u32): BaseContext | null {
    const i = this.slot(id)
    return unchecked(this.keys[i]) == id ? unchecked(this.values[i]) : null
  }

  set(id: u32, ctx: BaseContext): void {
    if ((this.used + 1) * 4 > this.keys.length * 3) this.grow()
    const i = this.slot(id)
    if (unchecked(this.keys[i]) == EMPTY) this.used++
    unchecked(this.keys[i] = id)
    unchecked(this.values[i] = ctx)
  }

  delete(id: u32): void {
    const i = this.slot(id)
    if (unchecked(this.keys[i]) != id) return
    unchecked(this.keys[i] = DELETED)
    unchecked(this.values[i] = null)
  }

  private grow(): void {
    const oldKeys = this.keys
    const oldValues = this.values
    let live = 0
    for (let i = 0; i < oldKeys.length; i++) if (unchecked(oldKeys[i]) != EMPTY && unchecked(oldKeys[i]) != DELETED) live++
    // Rehash into a table twice the live size (at least 16): deleted slots are dropped.
    let cap = 16
    while (cap < live * 4) cap <<= 1
    this.keys = new StaticArray<u32>(cap)
    this.values = new StaticArray<BaseContext | null>(cap)
    this.used = 0
    for (let i = 0; i < oldKeys.length; i++) {
      const k = unchecked(oldKeys[i])
      if (k != EMPTY && k != DELETED) this.set(k, unchecked(oldValues[i])!)
    }
  }
}
