// Preloaded with `node --import` when ALLOC_PROF_DIR is set: samples every allocation site,
// INCLUDING objects the GC already collected (node's --heap-prof keeps only live ones), so
// per-request garbage shows up. Writes <dir>/alloc-<pid>.heapprofile at exit (open it in Chrome
// DevTools, or summarize it with lib/alloc-summary.mjs).
import { Session } from 'node:inspector'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

const dir = process.env.ALLOC_PROF_DIR
if (dir) {
  const session = new Session()
  session.connect()
  session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true })
  process.once('exit', () => {
    // A local session answers synchronously, so this works inside an exit handler.
    session.post('HeapProfiler.stopSampling', (err, res) => {
      if (!err) writeFileSync(join(dir, `alloc-${process.pid}.heapprofile`), JSON.stringify(res.profile))
    })
  })
}
