/**
 * @module
 * The shape of an OTLP/HTTP JSON trace export (ExportTraceServiceRequest, as the OpenTelemetry
 * protocol's JSON mapping defines it: trace and span ids as lowercase hex, 64-bit integers as
 * decimal strings, enums as numbers), checked field by field, and a real receiver on loopback.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { onTestFinished } from 'vitest'

export interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  startTimeUnixNano: string
  endTimeUnixNano: string
  attributes: Array<{ key: string; value: Record<string, unknown> }>
  status?: { code?: number; message?: string }
}

const fail = (where: string, what: string, got: unknown): never => {
  throw new Error(`OTLP payload: ${where}: ${what} (got ${JSON.stringify(got)})`)
}

const ANY_VALUE_KEYS = ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue']

function checkAttributes(where: string, attrs: unknown): void {
  if (!Array.isArray(attrs)) fail(where, 'expected an array of KeyValue', attrs)
  for (const [i, a] of (attrs as unknown[]).entries()) {
    const kv = a as { key?: unknown; value?: Record<string, unknown> }
    if (typeof kv.key !== 'string' || kv.key === '') fail(`${where}[${i}].key`, 'expected a non-empty string', kv.key)
    const keys = Object.keys(kv.value ?? {})
    if (keys.length !== 1 || !ANY_VALUE_KEYS.includes(keys[0] as string)) fail(`${where}[${i}].value`, 'expected one AnyValue field', kv.value)
    const v = (kv.value as Record<string, unknown>)[keys[0] as string]
    if (keys[0] === 'stringValue' && typeof v !== 'string') fail(`${where}[${i}].value.stringValue`, 'expected a string', v)
    if (keys[0] === 'intValue' && !(typeof v === 'string' && /^-?\d+$/.test(v))) fail(`${where}[${i}].value.intValue`, 'expected a decimal string', v)
  }
}

/** Throws, naming the field, unless `body` is a well-formed trace export; returns its spans. */
export function validateOtlpTraces(body: unknown): { spans: OtlpSpan[]; resource: Record<string, string> } {
  const spans: OtlpSpan[] = []
  const resource: Record<string, string> = {}
  const rs = (body as { resourceSpans?: unknown }).resourceSpans
  if (!Array.isArray(rs) || rs.length === 0) fail('resourceSpans', 'expected a non-empty array', rs)
  for (const [i, r] of (rs as Array<Record<string, unknown>>).entries()) {
    const res = r.resource as { attributes?: unknown } | undefined
    checkAttributes(`resourceSpans[${i}].resource.attributes`, res?.attributes)
    for (const a of res?.attributes as Array<{ key: string; value: { stringValue?: string } }>) if (a.value.stringValue !== undefined) resource[a.key] = a.value.stringValue
    const ss = r.scopeSpans
    if (!Array.isArray(ss)) fail(`resourceSpans[${i}].scopeSpans`, 'expected an array', ss)
    for (const [j, s] of (ss as Array<Record<string, unknown>>).entries()) {
      const at = `resourceSpans[${i}].scopeSpans[${j}]`
      const scope = s.scope as { name?: unknown } | undefined
      if (typeof scope?.name !== 'string') fail(`${at}.scope.name`, 'expected a string', scope)
      if (!Array.isArray(s.spans)) fail(`${at}.spans`, 'expected an array', s.spans)
      for (const [k, span] of (s.spans as OtlpSpan[]).entries()) {
        const w = `${at}.spans[${k}]`
        if (!/^[0-9a-f]{32}$/.test(span.traceId) || /^0+$/.test(span.traceId)) fail(`${w}.traceId`, 'expected 32 lowercase hex digits, not all zero', span.traceId)
        if (!/^[0-9a-f]{16}$/.test(span.spanId) || /^0+$/.test(span.spanId)) fail(`${w}.spanId`, 'expected 16 lowercase hex digits, not all zero', span.spanId)
        if (span.parentSpanId !== undefined && span.parentSpanId !== '' && !/^[0-9a-f]{16}$/.test(span.parentSpanId)) fail(`${w}.parentSpanId`, 'expected 16 lowercase hex digits', span.parentSpanId)
        if (typeof span.name !== 'string' || span.name === '') fail(`${w}.name`, 'expected a non-empty string', span.name)
        if (!Number.isInteger(span.kind) || span.kind < 0 || span.kind > 5) fail(`${w}.kind`, 'expected a SpanKind number 0..5', span.kind)
        for (const f of ['startTimeUnixNano', 'endTimeUnixNano'] as const) if (!/^\d+$/.test(span[f])) fail(`${w}.${f}`, 'expected a decimal string', span[f])
        if (BigInt(span.endTimeUnixNano) < BigInt(span.startTimeUnixNano)) fail(`${w}.endTimeUnixNano`, 'ends before it starts', span)
        checkAttributes(`${w}.attributes`, span.attributes)
        if (span.status !== undefined && span.status.code !== undefined && ![0, 1, 2].includes(span.status.code)) fail(`${w}.status.code`, 'expected 0, 1 or 2', span.status)
        spans.push(span)
      }
    }
  }
  return { spans, resource }
}

/** An attribute's value as a string (intValue is a string in JSON), or undefined. */
export function attr(span: OtlpSpan, key: string): string | undefined {
  const a = span.attributes.find((x) => x.key === key)
  if (a === undefined) return undefined
  const v = Object.values(a.value)[0]
  return typeof v === 'string' ? v : JSON.stringify(v)
}

export interface OtlpReceiver {
  readonly url: string
  /** Every export request received, parsed and validated. */
  readonly exports: Array<{ path: string; contentType: string; spans: OtlpSpan[]; resource: Record<string, string> }>
  readonly spans: OtlpSpan[]
  /** Validation errors (the receiver answered 400 to those requests). */
  readonly errors: string[]
}

/** A real OTLP/HTTP receiver on 127.0.0.1: validates each payload, answers 200 `{}` (or 400). */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const receiver = { exports: [], spans: [], errors: [] } as unknown as OtlpReceiver & { url: string }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      try {
        if (req.method !== 'POST') throw new Error(`expected POST, got ${req.method}`)
        const parsed = validateOtlpTraces(JSON.parse(Buffer.concat(chunks).toString('utf8')))
        receiver.exports.push({ path: req.url ?? '', contentType: String(req.headers['content-type']), ...parsed })
        receiver.spans.push(...parsed.spans)
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      } catch (err) {
        receiver.errors.push(String(err))
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: String(err) }))
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  onTestFinished(() => new Promise<void>((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  }))
  return receiver
}
