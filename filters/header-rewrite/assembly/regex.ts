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

import { OP_ANY, OP_BOL, OP_CHAR, OP_CLASS, OP_EOL, OP_JMP, OP_MATCH, OP_SAVE, OP_SPLIT, Vm, newVm, vmExec } from "./pike-vm"

/** Programs larger than this are refused (counted repetition copies its body). */
const MAX_INSTRUCTIONS = 4096

export let regexError: string = ""

export class Regex {
  /** Number of capturing groups. */
  readonly groups: i32
  private vm: Vm
  private subject: string = ""

  private constructor(vm: Vm, groups: i32) {
    this.vm = vm
    this.groups = groups
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
    e.op(OP_SAVE, 0, 0)
    e.emit(root)
    e.op(OP_SAVE, 1, 0)
    e.op(OP_MATCH, 0, 0)
    if (e.prog.length / 3 > MAX_INSTRUCTIONS) {
      regexError = "pattern too large (counted repetitions expand to more than " + MAX_INSTRUCTIONS.toString() + " steps)"
      return null
    }
    // Starts with `^` outside any group: only a match at the start position is possible.
    const anchored = root.kind == RegexNode.BOL || (root.kind == RegexNode.CONCAT && root.children.length > 0 && root.children[0].kind == RegexNode.BOL)
    return new Regex(newVm(e.prog, e.ranges, (p.groups + 1) * 2, anchored), p.groups)
  }

  /** True when the pattern matches somewhere in `s` at or after `from`; see start()/end()/group(). */
  exec(s: string, from: i32 = 0): bool {
    this.subject = s
    return vmExec(this.vm, changetype<usize>(s), s.length, from)
  }

  /** Where group `n` of the last match starts (-1 when it did not take part). */
  start(n: i32): i32 { return load<i32>(this.vm.out + (<usize>(n * 2) << 2)) }
  end(n: i32): i32 { return load<i32>(this.vm.out + (<usize>(n * 2 + 1) << 2)) }

  /** Group `n` of the last match as a string ("" when it did not take part). */
  group(n: i32): string {
    const a = this.start(n)
    const b = this.end(n)
    return a < 0 || b < a ? "" : this.subject.substring(a, b)
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
