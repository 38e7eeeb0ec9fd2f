/**
 * @module
 * Raw HTTP/1.1 over a TCP socket, for requests a well-behaved client refuses to send
 * (malformed request lines, hop-by-hop headers). The request should ask `connection: close`.
 */
import { connect } from 'node:net'

export interface RawResponse {
  readonly status: number
  /** Lowercase names; repeated headers joined with ", ". */
  readonly headers: Record<string, string>
  readonly body: string
  readonly raw: string
}

/** Sends `text` as is and reads until the server closes the connection. */
export function rawRequest(url: string, text: string): Promise<RawResponse> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    const chunks: Buffer[] = []
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', reject)
    socket.on('close', () => resolve(parseResponse(Buffer.concat(chunks).toString('latin1'))))
    socket.write(text)
  })
}

export function parseResponse(raw: string): RawResponse {
  const split = raw.indexOf('\r\n\r\n')
  const head = split === -1 ? raw : raw.slice(0, split)
  let body = split === -1 ? '' : raw.slice(split + 4)
  const [statusLine = '', ...lines] = head.split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const i = line.indexOf(':')
    const name = line.slice(0, i).trim().toLowerCase()
    const value = line.slice(i + 1).trim()
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value
  }
  if (headers['transfer-encoding'] === 'chunked') body = decodeChunked(body)
  return { status: Number(statusLine.split(' ')[1]), headers, body, raw }
}

function decodeChunked(text: string): string {
  let out = ''
  let rest = text
  for (;;) {
    const eol = rest.indexOf('\r\n')
    const size = parseInt(rest.slice(0, eol), 16)
    if (!(size > 0)) return out
    out += rest.slice(eol + 2, eol + 2 + size)
    rest = rest.slice(eol + 2 + size + 2)
  }
}
