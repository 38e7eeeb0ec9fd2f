/**
 * @module
 * The worker's side of the admin hand-shake under `serve --workers` (the primary's side is
 * workers.ts and admin/primary-admin.ts). A worker reports its private admin URL and waits for
 * the primary to replay the admin changes made before it started (a filter replaced by PUT), so
 * a worker started to replace a dead one never serves with older filters than its siblings.
 */
import cluster from 'node:cluster'

export const adminReportMessage = 'wasmgate:admin'
export const adminReadyMessage = 'wasmgate:admin-ready'
/** Past this, the worker serves anyway (and the primary logs what it could not replay). */
const replayWaitMs = 120_000

export function joinPrimaryAdmin(url: string): Promise<void> {
  if (!cluster.isWorker || url === '' || !process.connected || process.send === undefined) return Promise.resolve()
  const send = process.send.bind(process)
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      process.off('message', onMessage)
      resolve()
    }
    const onMessage = (msg: unknown): void => {
      if (msg === adminReadyMessage) done()
    }
    const timer = setTimeout(done, replayWaitMs)
    process.on('message', onMessage)
    send({ type: adminReportMessage, url })
  })
}
