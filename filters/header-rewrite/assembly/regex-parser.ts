// Parses the pattern syntax documented in regex.ts into a tree (configuration time only).

export class RegexNode {
  static readonly CHAR: i32 = 0
  static readonly ANY: i32 = 1
  static readonly CLASS: i32 = 2
  static readonly BOL: i32 = 3
  static readonly EOL: i32 = 4
  static readonly CONCAT: i32 = 5
  static readonly ALT: i32 = 6
  static readonly GROUP: i32 = 7 // value: capture number, 0 for (?:...)
  static readonly REPEAT: i32 = 8

  value: i32 = 0
  negated: bool = false
  ranges: i32[] = []
  children: RegexNode[] = []
  min: i32 = 0
  max: i32 = -1
  greedy: bool = true

  constructor(public kind: i32) {}
}

const MAX_GROUPS = 9
const MAX_COUNT = 100

export class RegexParser {
  pos: i32 = 0
  groups: i32 = 0
  ignoreCase: bool = false
  error: string = ""

  constructor(public src: string) {}

  parse(): RegexNode | null {
    if (this.src.startsWith("(?i)")) {
      this.ignoreCase = true
      this.pos = 4
    }
    const n = this.alternation(0)
    if (this.error.length == 0 && this.pos < this.src.length) this.fail("unmatched ')'")
    return this.error.length > 0 ? null : n
  }

  private fail(what: string): RegexNode {
    if (this.error.length == 0) this.error = what + " at offset " + this.pos.toString()
    return new RegexNode(RegexNode.CONCAT)
  }

  private peek(): i32 { return this.pos < this.src.length ? this.src.charCodeAt(this.pos) : -1 }

  private alternation(depth: i32): RegexNode {
    if (depth > 32) return this.fail("groups nested too deeply")
    const alt = new RegexNode(RegexNode.ALT)
    alt.children.push(this.concat(depth))
    while (this.error.length == 0 && this.peek() == 0x7c) { // |
      this.pos++
      alt.children.push(this.concat(depth))
    }
    return alt.children.length == 1 ? alt.children[0] : alt
  }

  private concat(depth: i32): RegexNode {
    const seq = new RegexNode(RegexNode.CONCAT)
    for (let c = this.peek(); c != -1 && c != 0x7c && c != 0x29 && this.error.length == 0; c = this.peek()) {
      const atom = this.atom(depth)
      seq.children.push(this.quantified(atom))
    }
    return seq
  }

  private quantified(atom: RegexNode): RegexNode {
    const c = this.peek()
    let min = -1, max = -1
    if (c == 0x2a) { min = 0; max = -1 } // *
    else if (c == 0x2b) { min = 1; max = -1 } // +
    else if (c == 0x3f) { min = 0; max = 1 } // ?
    else if (c == 0x7b) { // {n}, {n,}, {n,m}
      const save = this.pos
      this.pos++
      min = this.count()
      max = min
      if (this.peek() == 0x2c) {
        this.pos++
        max = this.peek() == 0x7d ? -1 : this.count()
      }
      if (min < 0 || this.peek() != 0x7d) {
        this.pos = save
        this.fail("bad {n,m} repetition")
        return atom
      }
      if (max >= 0 && max < min) {
        this.fail("{n,m} with m < n")
        return atom
      }
    } else return atom
    this.pos++
    if (atom.kind == RegexNode.BOL || atom.kind == RegexNode.EOL) {
      this.fail("nothing to repeat")
      return atom
    }
    const r = new RegexNode(RegexNode.REPEAT)
    r.children.push(atom)
    r.min = min
    r.max = max
    if (this.peek() == 0x3f) {
      r.greedy = false
      this.pos++
    }
    const q = this.peek()
    if (q == 0x2a || q == 0x2b || q == 0x3f || q == 0x7b) this.fail("nothing to repeat")
    return r
  }

  private count(): i32 {
    let n = -1
    for (let c = this.peek(); c >= 0x30 && c <= 0x39; c = this.peek()) {
      n = (n < 0 ? 0 : n) * 10 + (c - 0x30)
      if (n > MAX_COUNT) {
        this.fail("repetition count above " + MAX_COUNT.toString())
        return -1
      }
      this.pos++
    }
    return n
  }

  private atom(depth: i32): RegexNode {
    const c = this.peek()
    this.pos++
    if (c == 0x2e) return new RegexNode(RegexNode.ANY)
    if (c == 0x5e) return new RegexNode(RegexNode.BOL)
    if (c == 0x24) return new RegexNode(RegexNode.EOL)
    if (c == 0x5b) return this.charClass()
    if (c == 0x5c) return this.escape()
    if (c == 0x28) { // (
      const g = new RegexNode(RegexNode.GROUP)
      if (this.src.startsWith("?:", this.pos)) {
        this.pos += 2
      } else if (this.peek() == 0x3f) {
        return this.fail("only (?:...) and a leading (?i) are supported")
      } else {
        if (++this.groups > MAX_GROUPS) return this.fail("more than " + MAX_GROUPS.toString() + " capturing groups")
        g.value = this.groups
      }
      g.children.push(this.alternation(depth + 1))
      if (this.peek() != 0x29) return this.fail("missing ')'")
      this.pos++
      return g
    }
    if (c == 0x2a || c == 0x2b || c == 0x3f || c == 0x7b) {
      this.pos--
      return this.fail("nothing to repeat")
    }
    const n = new RegexNode(RegexNode.CHAR)
    n.value = c
    return n
  }

  // After a backslash: a class shorthand, a control escape, or the punctuation itself.
  private escape(): RegexNode {
    const c = this.peek()
    if (c == -1) return this.fail("trailing backslash")
    this.pos++
    const lower = c | 0x20
    if (lower == 0x64 || lower == 0x77 || lower == 0x73) { // d w s
      const n = new RegexNode(RegexNode.CLASS)
      if (lower == 0x64) pushRange(n, 0x30, 0x39)
      else if (lower == 0x77) {
        pushRange(n, 0x30, 0x39); pushRange(n, 0x41, 0x5a); pushRange(n, 0x5f, 0x5f); pushRange(n, 0x61, 0x7a)
      } else {
        pushRange(n, 0x09, 0x0d); pushRange(n, 0x20, 0x20)
      }
      n.negated = c != lower // upper case: the complement
      return n
    }
    const n = new RegexNode(RegexNode.CHAR)
    if (c == 0x74) n.value = 0x09
    else if (c == 0x6e) n.value = 0x0a
    else if (c == 0x72) n.value = 0x0d
    else if ((c >= 0x30 && c <= 0x39) || (lower >= 0x61 && lower <= 0x7a)) return this.fail("unsupported escape \\" + String.fromCharCode(c))
    else n.value = c
    return n
  }

  private charClass(): RegexNode {
    const n = new RegexNode(RegexNode.CLASS)
    if (this.peek() == 0x5e) {
      n.negated = true
      this.pos++
    }
    let first = true
    for (;;) {
      let c = this.peek()
      if (c == -1) return this.fail("missing ']'")
      if (c == 0x5d && !first) break
      first = false
      this.pos++
      if (c == 0x5c) {
        const e = this.escape()
        if (this.error.length > 0) return e
        if (e.kind == RegexNode.CLASS) {
          if (e.negated) return this.fail("\\D, \\W and \\S are not supported inside [...]")
          for (let i = 0; i < e.ranges.length; i++) n.ranges.push(e.ranges[i])
          continue
        }
        c = e.value
      }
      let hi = c
      if (this.peek() == 0x2d && this.pos + 1 < this.src.length && this.src.charCodeAt(this.pos + 1) != 0x5d) {
        this.pos++
        hi = this.peek()
        this.pos++
        if (hi == 0x5c) {
          const e = this.escape()
          if (e.kind != RegexNode.CHAR) return this.fail("bad range in [...]")
          hi = e.value
        }
        if (hi < c) return this.fail("range out of order in [...]")
      }
      pushRange(n, c, hi)
    }
    this.pos++
    return n
  }
}

function pushRange(n: RegexNode, lo: i32, hi: i32): void {
  n.ranges.push(lo)
  n.ranges.push(hi)
}
