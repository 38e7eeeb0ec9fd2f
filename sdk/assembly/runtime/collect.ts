// Garbage collection at safe points, for modules built with `--runtime minimal` (the default in
// asconfig.json). Every proxy_on_* export runs its callback between enter() and leave().
//
// The minimal runtime (two-colour mark & sweep) keeps no shadow stack and never collects on its
// own: a collection sees only what is reachable from globals (and pinned objects), so it is safe
// only when no guest frame holds a managed reference in a local. That holds when the outermost
// callback returns, and leave() collects there: every COLLECT_EVERY callbacks, or at once when
// linear memory grew since the last collection (the allocator grows memory when it runs out, so
// waiting would grow it again). `depth` keeps a callback that a host runs from inside a hostcall
// from collecting under its caller; the allocator (malloc, proxy_on_memory_allocate) is not
// wrapped and never collects. A trap leaves `depth` above 0, which only stops collection in an
// instance that hosts discard anyway.
//
// With the incremental runtime (a project that sets `"runtime": "incremental"`) both compile to
// nothing: that collector runs by itself during allocation.

// Callbacks between collections. A request takes about 6 (context create, headers both ways,
// log, done, delete). On the four production filters 256 costs the same CPU per request as 1024
// and keeps each instance at one 64 KiB page (1024 let telemetry grow to 4).
// @ts-ignore: decorator
@inline const COLLECT_EVERY: u32 = 256

let depth: i32 = 0
let sinceCollect: u32 = 0
let pagesAtCollect: i32 = 0

/** Marks the start of a callback (runtime minimal only). */
// @ts-ignore: decorator
@inline export function enter(): void {
  if (ASC_RUNTIME == 1) depth++
}

/** Marks the end of a callback; the outermost one collects when it is due (runtime minimal only). */
// @ts-ignore: decorator
@inline export function leave(): void {
  if (ASC_RUNTIME == 1) {
    if (--depth == 0 && (++sinceCollect >= COLLECT_EVERY || memory.size() > pagesAtCollect)) collect()
  }
}

function collect(): void {
  sinceCollect = 0
  __collect()
  pagesAtCollect = memory.size()
}
