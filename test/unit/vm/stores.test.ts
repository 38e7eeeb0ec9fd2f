import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { MetricType, Status } from '../../../host/abi/constants.ts'
import { FilterMetrics } from '../../../host/filter/filter-metrics.ts'
import { SharedDataStore } from '../../../host/store/shared-data.ts'
import { SharedQueueStore } from '../../../host/store/shared-queue.ts'
import { PluginHandle } from '../../../host/vm/handle.ts'

const b = (s: string) => Buffer.from(s)

describe('shared data (Envoy CAS)', () => {
  it('cas 0 always writes; a stale cas is CasMismatch; a missing key ignores the cas', () => {
    const s = new SharedDataStore()
    expect(s.set('vm', 'k', b('1'), 12345)).toBe(Status.Ok) // insert ignores cas
    const first = s.get('vm', 'k')!
    expect(first.cas).not.toBe(0)
    expect(s.set('vm', 'k', b('2'), first.cas)).toBe(Status.Ok)
    expect(s.set('vm', 'k', b('3'), first.cas)).toBe(Status.CasMismatch)
    expect(Buffer.from(s.get('vm', 'k')!.value).toString()).toBe('2')
    expect(s.set('vm', 'k', b('4'), 0)).toBe(Status.Ok)
    expect(s.get('vm', 'k')!.cas).not.toBe(first.cas)
  })

  it('keys data by vm_id', () => {
    const s = new SharedDataStore()
    s.set('a', 'k', b('x'), 0)
    expect(s.get('b', 'k')).toBeUndefined()
    s.deleteVmId('a')
    expect(s.get('a', 'k')).toBeUndefined()
  })
})

describe('shared queues', () => {
  it('register reuses a queue, tokens are non-zero, on_queue_ready is posted asynchronously', async () => {
    const q = new SharedQueueStore()
    const ready: number[] = []
    let resolve!: () => void
    const delivered = new Promise<void>((r) => (resolve = r))
    const token = q.register('vm', 'jobs', (t) => (ready.push(t), resolve()))
    expect(token).not.toBe(0)
    expect(q.register('vm', 'jobs', (t) => (ready.push(t), resolve()))).toBe(token)
    expect(q.resolve('vm', 'jobs')).toBe(token)
    expect(q.resolve('other', 'jobs')).toBeUndefined()
    expect(q.dequeue(token)).toBe(Status.Empty)
    expect(q.enqueue(token, b('a'))).toBe(Status.Ok)
    expect(ready).toEqual([]) // not on the caller's stack
    await delivered
    expect(ready).toEqual([token])
    expect(Buffer.from(q.dequeue(token) as Uint8Array).toString()).toBe('a')
    expect(q.enqueue(999, b('x'))).toBe(Status.NotFound)
    expect(q.dequeue(999)).toBe(Status.NotFound)
  })
})

describe('filter metrics', () => {
  it('ids step by 4 with the type in the low 2 bits; counters, gauges and histograms follow Envoy', async () => {
    const registry = new Registry()
    const m = new FilterMetrics(registry)
    const c = m.define(MetricType.Counter, 'hits')
    const g = m.define(MetricType.Gauge, 'level')
    const h = m.define(MetricType.Histogram, 'sizes')
    expect([c & 3, g & 3, h & 3]).toEqual([0, 1, 2])
    expect(m.define(MetricType.Counter, 'hits')).toBe(c)
    expect(m.define(MetricType.Gauge, 'hits')).toBe(-Status.BadArgument)
    expect(m.increment(c, 0n)).toBe(Status.BadArgument)
    expect(m.increment(c, 2n)).toBe(Status.Ok)
    expect(m.record(c, 3n)).toBe(Status.Ok)
    expect(m.get(c)).toBe(5n)
    expect(m.increment(g, 10n)).toBe(Status.Ok)
    expect(m.increment(g, -4n)).toBe(Status.Ok)
    expect(m.get(g)).toBe(6n)
    expect(m.record(g, 9n)).toBe(Status.Ok)
    expect(m.get(g)).toBe(9n)
    expect(m.increment(h, 1n)).toBe(Status.BadArgument)
    expect(m.record(h, 7n)).toBe(Status.Ok)
    expect(m.get(h)).toBe(Status.BadArgument)
    expect(m.get(12345)).toBe(Status.NotFound)
    const text = await registry.metrics()
    expect(text).toContain('wasmcustom_hits 5')
    expect(text).toContain('wasmcustom_level 9')
    expect(text).toContain('wasmcustom_sizes_count 1')
  })
})

describe('plugin handle', () => {
  it('drops a failed instance for good and builds a fresh one; reload backs off only in a crash loop', () => {
    let n = 0
    const h = new PluginHandle<{ id: number }>({ id: n++ }, () => ({ id: n++ }), 'reload')
    const first = h.acquire()!
    h.markFailed(first, new Error('trap'))
    const second = h.acquire()!
    expect(second.id).not.toBe(first.id)
    h.markFailed(second, new Error('trap'))
    expect(h.acquire()).toBeUndefined()
    expect(h.state).toBe('backoff')
  })

  it('backs off when a fresh instance cannot start', () => {
    const h = new PluginHandle<object>({}, () => {
      throw new Error('start failed')
    }, 'closed')
    h.markFailed(h.current!, new Error('trap'))
    expect(h.acquire()).toBeUndefined()
    expect(h.state).toBe('backoff')
  })
})

describe('foreign functions', () => {
  it('compress/uncompress round-trip in zlib format; bad input and unknown names get SerializationFailure / NotFound', async () => {
    const { callForeignFunction } = await import('../../../host/filter/foreign-functions.ts')
    const { inflateSync } = await import('node:zlib')
    const packed = callForeignFunction('compress', b('hello hello hello')) as Uint8Array
    expect(inflateSync(packed).toString()).toBe('hello hello hello')
    expect(Buffer.from(callForeignFunction('uncompress', packed) as Uint8Array).toString()).toBe('hello hello hello')
    expect(callForeignFunction('uncompress', b('not zlib'))).toBe(Status.SerializationFailure)
    expect((callForeignFunction('clear_route_cache', b('')) as Uint8Array).length).toBe(0)
    // From a stream context it asks the stream to route again.
    let cleared = 0
    const stream = { id: 7, clearRouteCache: () => cleared++ } as unknown as Parameters<typeof callForeignFunction>[2]
    expect((callForeignFunction('clear_route_cache', b(''), stream) as Uint8Array).length).toBe(0)
    expect(cleared).toBe(1)
    expect(callForeignFunction('nope', b(''))).toBe(Status.NotFound)
  })
})
