import { describe, expect, it } from 'vitest'
import { mergePrometheus } from '../../host/admin/merge-prometheus.ts'

const worker = (requests: number, connections: number) => `# HELP wasmgate_requests_total Requests.
# TYPE wasmgate_requests_total counter
wasmgate_requests_total{route="a",cluster="c",status_class="2xx"} ${requests}

# HELP wasmgate_downstream_connections Open connections.
# TYPE wasmgate_downstream_connections gauge
wasmgate_downstream_connections ${connections}
`

describe('mergePrometheus', () => {
  it('labels every sample with its worker and keeps one HELP/TYPE per family', () => {
    const text = mergePrometheus([
      { worker: '11', text: worker(3, 1) },
      { worker: '22', text: worker(5, 0) },
    ])
    expect(text).toBe(`# HELP wasmgate_requests_total Requests.
# TYPE wasmgate_requests_total counter
wasmgate_requests_total{worker="11",route="a",cluster="c",status_class="2xx"} 3
wasmgate_requests_total{worker="22",route="a",cluster="c",status_class="2xx"} 5
# HELP wasmgate_downstream_connections Open connections.
# TYPE wasmgate_downstream_connections gauge
wasmgate_downstream_connections{worker="11"} 1
wasmgate_downstream_connections{worker="22"} 0
`)
  })

  it('handles empty label sets and a family only one worker has', () => {
    const text = mergePrometheus([
      { worker: '1', text: '# TYPE x counter\nx{} 2\n' },
      { worker: '2', text: '# TYPE y gauge\ny 7\n' },
    ])
    expect(text).toBe('# TYPE x counter\nx{worker="1"} 2\n# TYPE y gauge\ny{worker="2"} 7\n')
  })
})
