// The matcher behind Regex: a Pike VM over a compiled program, all state in unmanaged memory.
// Nothing here is a GC reference, so the hot loops carry no shadow-stack bookkeeping (the
// incremental runtime spills every managed reference a function holds) and allocate nothing.
//
// Program: 3 i32 per instruction (op, a, b). Thread lists: two halves of one buffer, `cur` says
// which is current. Capture slots: `slots` i32 per thread.

export const OP_CHAR = 0 // a = char code
export const OP_ANY = 1
export const OP_CLASS = 2 // a = first range index, b = range count; negated when a < 0 (index ~a)
export const OP_SPLIT = 3 // try a first, then b
export const OP_JMP = 4
export const OP_SAVE = 5 // a = capture slot
export const OP_BOL = 6
export const OP_EOL = 7
export const OP_MATCH = 8

@unmanaged
export class Vm {
  prog: usize = 0
  ranges: usize = 0
  size: i32 = 0
  slots: i32 = 0
  anchored: bool = false
  marks: usize = 0
  gen: u32 = 0
  pcs: usize = 0
  caps: usize = 0
  cur: i32 = 0
  nc: i32 = 0
  nn: i32 = 0
  tmp: usize = 0
  /** Slots of the last match. */
  out: usize = 0
  subject: usize = 0
  len: i32 = 0
}

function i32s(n: i32): usize {
  const p = heap.alloc(<usize>max(n, 1) << 2)
  memory.fill(p, 0, <usize>max(n, 1) << 2)
  return p
}

export function newVm(prog: i32[], ranges: i32[], slots: i32, anchored: bool): Vm {
  const vm = new Vm()
  const size = prog.length / 3
  vm.size = size
  vm.slots = slots
  vm.anchored = anchored
  vm.prog = i32s(prog.length)
  for (let i = 0; i < prog.length; i++) store<i32>(vm.prog + (<usize>i << 2), prog[i])
  vm.ranges = i32s(ranges.length)
  for (let i = 0; i < ranges.length; i++) store<i32>(vm.ranges + (<usize>i << 2), ranges[i])
  vm.marks = i32s(size)
  vm.pcs = i32s(size * 2)
  vm.caps = i32s(size * slots * 2)
  vm.tmp = i32s(slots)
  vm.out = i32s(slots)
  return vm
}

// @ts-ignore: decorator
@inline function at(base: usize, i: i32): usize { return base + (<usize>i << 2) }

// A few slots at a time: V8 runs memory.copy/fill of a dynamic size as a call into the runtime,
// which costs more than these loops.
// @ts-ignore: decorator
@inline function copySlots(dst: usize, src: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<i32>(dst + (<usize>i << 2), load<i32>(src + (<usize>i << 2)))
}

function nextGen(vm: Vm): void {
  // Marks hold the step that last recorded each pc; on wrap-around, clear them.
  if (vm.gen == u32.MAX_VALUE) {
    memory.fill(vm.marks, 0, <usize>vm.size << 2)
    vm.gen = 0
  }
  vm.gen++
}

/** Searches the UTF-16 text at `subject` (`len` units) from `from`; the match's slots go to `out`. */
export function vmExec(vm: Vm, subject: usize, len: i32, from: i32): bool {
  vm.subject = subject
  vm.len = len
  const slots = vm.slots
  const prog = vm.prog
  let matched = false
  vm.nc = 0
  nextGen(vm)
  for (let pos = from; ; pos++) {
    if (!matched && (pos == from || !vm.anchored)) {
      for (let i = 0; i < slots; i++) store<i32>(at(vm.tmp, i), -1)
      addThread(vm, true, 0, pos)
    }
    const nc = vm.nc
    if (nc == 0) break
    nextGen(vm)
    vm.nn = 0
    const c: i32 = pos < len ? <i32>load<u16>(subject + (<usize>pos << 1)) : -1
    const pcBase = vm.cur * vm.size
    for (let t = 0; t < nc; t++) {
      const pc = load<i32>(at(vm.pcs, pcBase + t))
      const ins = at(prog, pc * 3)
      const op = load<i32>(ins)
      const threadCaps = at(vm.caps, (pcBase + t) * slots)
      if (op == OP_MATCH) {
        copySlots(vm.out, threadCaps, slots)
        matched = true
        break // threads after this one have lower priority
      }
      if (c < 0 || !step(vm, op, ins, c)) continue
      copySlots(vm.tmp, threadCaps, slots)
      addThread(vm, false, pc + 1, pos + 1)
    }
    vm.cur ^= 1
    vm.nc = vm.nn
    vm.nn = 0
    if (pos >= len) break // MATCH threads at the end were seen above
  }
  return matched
}

function step(vm: Vm, op: i32, ins: usize, c: i32): bool {
  if (op == OP_CHAR) return load<i32>(ins, 4) == c
  if (op == OP_ANY) return true
  if (op == OP_CLASS) {
    let first = load<i32>(ins, 4)
    const negated = first < 0
    if (negated) first = ~first
    const end = first + load<i32>(ins, 8)
    let inside = false
    for (let r = first; r < end; r++) {
      const range = at(vm.ranges, r * 2)
      if (c >= load<i32>(range) && c <= load<i32>(range, 4)) {
        inside = true
        break
      }
    }
    return inside != negated
  }
  return false
}

// Follows jumps, splits, saves and assertions from `pc`; records each thread once per step.
function addThread(vm: Vm, current: bool, pc: i32, pos: i32): void {
  const mark = at(vm.marks, pc)
  if (load<u32>(mark) == vm.gen) return
  store<u32>(mark, vm.gen)
  const ins = at(vm.prog, pc * 3)
  const op = load<i32>(ins)
  const a = load<i32>(ins, 4)
  if (op == OP_JMP) {
    addThread(vm, current, a, pos)
  } else if (op == OP_SPLIT) {
    addThread(vm, current, a, pos)
    addThread(vm, current, load<i32>(ins, 8), pos)
  } else if (op == OP_SAVE) {
    const slot = at(vm.tmp, a)
    const old = load<i32>(slot)
    store<i32>(slot, pos)
    addThread(vm, current, pc + 1, pos)
    store<i32>(slot, old)
  } else if (op == OP_BOL) {
    if (pos == 0) addThread(vm, current, pc + 1, pos)
  } else if (op == OP_EOL) {
    if (pos == vm.len) addThread(vm, current, pc + 1, pos)
  } else {
    const half = current ? vm.cur : vm.cur ^ 1
    const t = current ? vm.nc++ : vm.nn++
    const i = half * vm.size + t
    store<i32>(at(vm.pcs, i), pc)
    copySlots(at(vm.caps, i * vm.slots), vm.tmp, vm.slots)
  }
}
