// Hop-by-hop header names (RFC 9110 §7.6.1) that a proxy must not forward. Shared by the two
// minimal Node peers so both do the same, honest amount of header work.
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'transfer-encoding',
  'upgrade',
  'trailer',
  'proxy-authenticate',
  'proxy-authorization',
])

/** Flat [name, value, ...] raw headers minus hop-by-hop ones (and names listed in `connection`). */
export function forwardable(raw) {
  const out = []
  let listed
  for (let i = 0; i < raw.length; i += 2) {
    const name = String(raw[i]).toLowerCase()
    if (name === 'connection') {
      for (const token of String(raw[i + 1]).split(',')) (listed ??= new Set()).add(token.trim().toLowerCase())
    }
  }
  for (let i = 0; i < raw.length; i += 2) {
    const name = String(raw[i]).toLowerCase()
    if (HOP_BY_HOP.has(name) || listed?.has(name)) continue
    out.push(String(raw[i]), String(raw[i + 1]))
  }
  return out
}

/** Writes `{"port":N}` once listening: the runner reads it from stdout. */
export function announce(server) {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n')
}

export function upstreamFromEnv() {
  const url = process.env.UPSTREAM
  if (!url) throw new Error('UPSTREAM (http://host:port) is required')
  return url
}
