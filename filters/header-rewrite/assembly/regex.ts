// A small regular-expression engine: patterns compile once (in onConfigure) to a program that a
// Pike VM runs in time linear in the input, so no pattern or header can make a request slow
// (no backtracking blow-ups, as with RE2, which Envoy uses). Searching allocates nothing: the
// thread lists and capture slots are preallocated per pattern.
//
// Syntax: literals, `.`, `[a-z_]` / `[^...]` classes, `\d \w \s` (and `\D \W \S`), `\t \n \r`,
// `\` before any other punctuation for the character itself, `^` and `$` (start and end of the
// input), `(...)` capturing groups (up to 9), `(?:...)` non-capturing groups, `|`, and the
// quantifiers `* + ? {n} {n,} {n,m}` (each may be followed by `?` to prefer fewer). A leading
// `(?i)` makes the whole pattern case-insensitive (ASCII letters).
import { RegexNode, RegexParser } from "./regex-parser"

// Opcodes; each instruction is 3 i32s: op, a, b.
const OP_CHAR = 0 // a = char code
const OP_ANY = 1
const OP_CLASS = 2 // a = first range index, b = range count; negated when a < 0 (index ~a)
const OP_SPLIT = 3 // try a first, then b
const OP_JMP = 4
const OP_SAVE = 5 // a = capture slot
const OP_BOL = 6
const OP_EOL = 7
const OP_MATCH = 8

/** Programs larger than this are refused (counted repetition copies its body). */
const MAX_INSTRUCTIONS = 4096

export let regexError: string = ""

export class Regex {
  /** Number of capturing groups. */
  readonly groups: i32
  /** Starts with `^` outside any group: only a match at the start position is possible. */
  anchored: bool = false
  private prog: StaticArray<i32>
  private size: i32
  private ranges: StaticArray<i32>
  private slots: i32
  private clistPc: StaticArray<i32>
  private nlistPc: StaticArray<i32>
  private clistCaps: StaticArray<i32>
  private nlistCaps: StaticArray<i32>
  private marks: StaticArray<u32>
  private gen: u32 = 0
  private tmp: StaticArray<i32>
  private nc: i32 = 0
  private nn: i32 = 0
  private subject: string = ""
  /** Start and end of each group of the last match (-1 when the group did not take part). */
  readonly caps: StaticArray<i32>

  private constructor(prog: i32[], ranges: i32[], groups: i32) {
    const size = prog.length / 3
    const slots = (groups + 1) * 2
    this.prog = StaticArray.fromArray<i32>(prog)
    this.size = size
    this.ranges = StaticArray.fromArray<i32>(ranges)
    this.groups = groups
    this.slots = slots
    this.clistPc = new StaticArray<i32>(size)
    this.nlistPc = new StaticArray<i32>(size)
    this.clistCaps = new StaticArray<i32>(size * slots)
    this.nlistCaps = new StaticArray<i32>(size * slots)
    this.marks = new StaticArray<u32>(size)
    this.tmp = new StaticArray<i32>(slots)
    this.caps = new StaticArray<i32>(slots)
  }

  /** Compiles `pattern`; null (with `regexError` set) when it is not valid. */
  static compile(pattern: string): Regex | null {
    const p = new RegexParser(pattern)
    const root = p.parse()
    if (root == null) {
      regexError = p.error
      return null
    }
    const e = new Emitter(p.ignoreCase)
    e.prog.push(OP_SAVE); e.prog.push(0); e.prog.push(0)
    e.emit(root)
    e.op(OP_SAVE, 1, 0)
    e.op(OP_MATCH, 0, 0)
    if (e.prog.length / 3 > MAX_INSTRUCTIONS) {
      regexError = "pattern too large (counted repetitions expand to more than " + MAX_INSTRUCTIONS.toString() + " steps)"
      return null
    }
    const re = new Regex(e.prog, e.ranges, p.groups)
    re.anchored = root.kind == RegexNode.BOL || (root.kind == RegexNode.CONCAT && root.children.length > 0 && root.children[0].kind == RegexNode.BOL)
    return re
  }

  /** True when the pattern matches somewhere in `s` at or after `from`; fills `caps`. */
  exec(s: string, from: i32 = 0): bool {
    this.subject = s
    const len = s.length
    const slots = this.slots
    let matched = false
    this.nc = 0
    this.nextGen()
    for (let pos = from; ; pos++) {
      if (!matched && (pos == from || !this.anchored)) {
        for (let i = 0; i < slots; i++) unchecked(this.tmp[i] = -1)
        this.add(true, 0, pos)
      }
      if (this.nc == 0) break
      this.nextGen()
      this.nn = 0
      const c: i32 = pos < len ? <i32>load<u16>(changetype<usize>(s) + (<usize>pos << 1)) : -1
      for (let t = 0; t < this.nc; t++) {
        const pc = unchecked(this.clistPc[t])
        const op = unchecked(this.prog[pc * 3])
        if (op == OP_MATCH) {
          for (let i = 0; i < slots; i++) unchecked(this.caps[i] = this.clistCaps[t * slots + i])
          matched = true
          break // threads after this one have lower priority
        }
        if (c < 0 || !this.step(op, pc, c)) continue
        for (let i = 0; i < slots; i++) unchecked(this.tmp[i] = this.clistCaps[t * slots + i])
        this.add(false, pc + 1, pos + 1)
      }
      this.swap()
      if (pos >= len) break // MATCH threads at the end were seen above
    }
    return matched
  }

  /** Group `n` of the last match as a string ("" when it did not take part). */
  group(n: i32): string {
    const a = unchecked(this.caps[n * 2])
    const b = unchecked(this.caps[n * 2 + 1])
    return a < 0 || b < a ? "" : this.subject.substring(a, b)
  }

  private step(op: i32, pc: i32, c: i32): bool {
    if (op == OP_CHAR) return unchecked(this.prog[pc * 3 + 1]) == c
    if (op == OP_ANY) return true
    if (op == OP_CLASS) {
      let first = unchecked(this.prog[pc * 3 + 1])
      const negated = first < 0
      if (negated) first = ~first
      const end = first + unchecked(this.prog[pc * 3 + 2])
      let inside = false
      for (let r = first; r < end; r++) {
        if (c >= unchecked(this.ranges[r * 2]) && c <= unchecked(this.ranges[r * 2 + 1])) {
          inside = true
          break
        }
      }
      return inside != negated
    }
    return false
  }

  // Follows jumps, splits, saves and assertions from `pc`; records each thread once per step.
  private add(current: bool, pc: i32, pos: i32): void {
    if (unchecked(this.marks[pc]) == this.gen) return
    unchecked(this.marks[pc] = this.gen)
    const op = unchecked(this.prog[pc * 3])
    const a = unchecked(this.prog[pc * 3 + 1])
    if (op == OP_JMP) {
      this.add(current, a, pos)
    } else if (op == OP_SPLIT) {
      this.add(current, a, pos)
      this.add(current, unchecked(this.prog[pc * 3 + 2]), pos)
    } else if (op == OP_SAVE) {
      const old = unchecked(this.tmp[a])
      unchecked(this.tmp[a] = pos)
      this.add(current, pc + 1, pos)
      unchecked(this.tmp[a] = old)
    } else if (op == OP_BOL) {
      if (pos == 0) this.add(current, pc + 1, pos)
    } else if (op == OP_EOL) {
      if (pos == this.subject.length) this.add(current, pc + 1, pos)
    } else {
      const slots = this.slots
      if (current) {
        const t = this.nc++
        unchecked(this.clistPc[t] = pc)
        for (let i = 0; i < slots; i++) unchecked(this.clistCaps[t * slots + i] = this.tmp[i])
      } else {
        const t = this.nn++
        unchecked(this.nlistPc[t] = pc)
        for (let i = 0; i < slots; i++) unchecked(this.nlistCaps[t * slots + i] = this.tmp[i])
      }
    }
  }

  // Marks hold the step that last recorded each pc; on wrap-around, clear them.
  private nextGen(): void {
    if (this.gen == u32.MAX_VALUE) {
      for (let i = 0; i < this.size; i++) unchecked(this.marks[i] = 0)
      this.gen = 0
    }
    this.gen++
  }

  private swap(): void {
    const pcs = this.clistPc
    this.clistPc = this.nlistPc
    this.nlistPc = pcs
    const caps = this.clistCaps
    this.clistCaps = this.nlistCaps
    this.nlistCaps = caps
    this.nc = this.nn
    this.nn = 0
  }
}

class Emitter {
  prog: i32[] = []
  ranges: i32[] = []
  constructor(public ignoreCase: bool) {}

  op(op: i32, a: i32, b: i32): i32 {
    const at = this.prog.length / 3
    this.prog.push(op)
    this.prog.push(a)
    this.prog.push(b)
    return at
  }

  patch(at: i32, a: i32, b: i32): void {
    this.prog[at * 3 + 1] = a
    this.prog[at * 3 + 2] = b
  }

  here(): i32 { return this.prog.length / 3 }

  emit(n: RegexNode): void {
    if (this.prog.length / 3 > MAX_INSTRUCTIONS) return
    switch (n.kind) {
      case RegexNode.CHAR: {
        const c = n.value
        const lower = c | 0x20
        if (this.ignoreCase && lower >= 0x61 && lower <= 0x7a) {
          const first = this.ranges.length / 2
          this.ranges.push(lower); this.ranges.push(lower)
          this.ranges.push(lower - 0x20); this.ranges.push(lower - 0x20)
          this.op(OP_CLASS, first, 2)
        } else this.op(OP_CHAR, c, 0)
        break
      }
      case RegexNode.ANY: this.op(OP_ANY, 0, 0); break
      case RegexNode.BOL: this.op(OP_BOL, 0, 0); break
      case RegexNode.EOL: this.op(OP_EOL, 0, 0); break
      case RegexNode.CLASS: {
        const first = this.ranges.length / 2
        const rs = n.ranges
        for (let i = 0; i < rs.length; i += 2) {
          const lo = rs[i]
          const hi = rs[i + 1]
          this.ranges.push(lo); this.ranges.push(hi)
          if (this.ignoreCase) {
            // Add the other case of the part of [lo, hi] that holds letters.
            const ulo = max(lo, 0x41), uhi = min(hi, 0x5a)
            if (ulo <= uhi) { this.ranges.push(ulo + 0x20); this.ranges.push(uhi + 0x20) }
            const llo = max(lo, 0x61), lhi = min(hi, 0x7a)
            if (llo <= lhi) { this.ranges.push(llo - 0x20); this.ranges.push(lhi - 0x20) }
          }
        }
        const count = this.ranges.length / 2 - first
        this.op(OP_CLASS, n.negated ? ~first : first, count)
        break
      }
      case RegexNode.CONCAT: {
        for (let i = 0; i < n.children.length; i++) this.emit(n.children[i])
        break
      }
      case RegexNode.ALT: {
        const jumps: i32[] = []
        const last = n.children.length - 1
        for (let i = 0; i < last; i++) {
          const split = this.op(OP_SPLIT, 0, 0)
          this.emit(n.children[i])
          jumps.push(this.op(OP_JMP, 0, 0))
          this.patch(split, split + 1, this.here())
        }
        this.emit(n.children[last])
        for (let i = 0; i < jumps.length; i++) this.patch(jumps[i], this.here(), 0)
        break
      }
      case RegexNode.GROUP: {
        if (n.value > 0) this.op(OP_SAVE, n.value * 2, 0)
        this.emit(n.children[0])
        if (n.value > 0) this.op(OP_SAVE, n.value * 2 + 1, 0)
        break
      }
      case RegexNode.REPEAT: {
        const body = n.children[0]
        for (let i = 0; i < n.min; i++) this.emit(body)
        if (n.max < 0) {
          const loop = this.op(OP_SPLIT, 0, 0)
          this.emit(body)
          this.op(OP_JMP, loop, 0)
          this.splitTo(loop, loop + 1, this.here(), n.greedy)
        } else {
          const splits: i32[] = []
          for (let i = n.min; i < n.max; i++) {
            splits.push(this.op(OP_SPLIT, 0, 0))
            this.emit(body)
          }
          const end = this.here()
          for (let i = 0; i < splits.length; i++) this.splitTo(splits[i], splits[i] + 1, end, n.greedy)
        }
        break
      }
    }
  }

  private splitTo(at: i32, body: i32, skip: i32, greedy: bool): void {
    if (greedy) this.patch(at, body, skip)
    else this.patch(at, skip, body)
  }
}
