/**
 * @module
 * Raw HTTP/1.1 over a socket, for what undici's client does not do (request trailers, aborting
 * mid-body).
 */
import { connect, type Socket } from 'node:net'

export function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), hostname, () => resolve(s))
    s.once('error', reject)
  })
}

/** Writes `text`, reads until the server closes; returns everything read. */
export async function rawExchange(url: string, text: string): Promise<string> {
  const s = await openSocket(url)
  const chunks: Buffer[] = []
  s.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<void>((resolve) => s.once('close', () => resolve()))
  s.write(text)
  await done
  return Buffer.concat(chunks).toString('utf8')
}
