/**
 * @module
 * An ordered HTTP header map with lowercase names, as filters see it: request maps start
 * with `:method :path :authority :scheme`, response maps with `:status`. Repeated headers
 * stay separate entries (Envoy keeps them apart too).
 *
 * The proxy-wasm pair encoding of the map is cached and dropped on any change, so a chain of
 * filters that only reads headers serializes them once (DESIGN "headers serialized once per change").
 */

export class HeaderMap {
  /** Flat `[name0, value0, name1, value1, ...]`; names are lowercase. */
  #flat: string[]
  /** Cached pair encoding, owned by abi/pairs.ts; undefined after any change. */
  encodedCache: Uint8Array | undefined = undefined

  constructor(flat: string[] = []) {
    this.#flat = flat
  }

  /** From node's `req.rawHeaders` (names as sent), lowercasing names. */
  static fromRaw(raw: ReadonlyArray<string>, prefix: ReadonlyArray<string> = []): HeaderMap {
    const flat = prefix.slice()
    for (let i = 0; i < raw.length; i += 2) flat.push((raw[i] as string).toLowerCase(), raw[i + 1] as string)
    return new HeaderMap(flat)
  }

  static fromPairs(pairs: Iterable<readonly [string, string]>): HeaderMap {
    const flat: string[] = []
    for (const [k, v] of pairs) flat.push(k.toLowerCase(), v)
    return new HeaderMap(flat)
  }

  /** Number of entries (pairs). */
  get size(): number {
    return this.#flat.length >> 1
  }

  /** The flat array; read-only by convention, callers must not mutate it. */
  get flat(): readonly string[] {
    return this.#flat
  }

  /** Sum of name and value lengths in bytes, as Envoy's `HeaderMap::byteSize()`. */
  byteSize(): number {
    let n = 0
    for (const s of this.#flat) n += Buffer.byteLength(s)
    return n
  }

  /** First value of `name` (lowercase), like Envoy's get_header_map_value. */
  get(name: string): string | undefined {
    const f = this.#flat
    for (let i = 0; i < f.length; i += 2) if (f[i] === name) return f[i + 1]
    return undefined
  }

  getAll(name: string): string[] {
    const out: string[] = []
    const f = this.#flat
    for (let i = 0; i < f.length; i += 2) if (f[i] === name) out.push(f[i + 1] as string)
    return out
  }

  has(name: string): boolean {
    return this.get(name) !== undefined
  }

  /** Appends an entry, keeping existing ones (proxy_add_header_map_value). */
  add(name: string, value: string): void {
    this.#flat.push(name.toLowerCase(), value)
    this.encodedCache = undefined
  }

  /** Replaces the first entry and removes the others, or appends (proxy_replace_header_map_value). */
  set(name: string, value: string): void {
    const key = name.toLowerCase()
    const f = this.#flat
    let found = false
    for (let i = 0; i < f.length; ) {
      if (f[i] === key) {
        if (!found) {
          f[i + 1] = value
          found = true
          i += 2
        } else {
          f.splice(i, 2)
        }
      } else i += 2
    }
    if (!found) f.push(key, value)
    this.encodedCache = undefined
  }

  /** Removes every entry of `name`; absent is fine (proxy_remove_header_map_value). */
  remove(name: string): void {
    const key = name.toLowerCase()
    const f = this.#flat
    let w = 0
    for (let r = 0; r < f.length; r += 2) {
      if (f[r] !== key) {
        f[w] = f[r] as string
        f[w + 1] = f[r + 1] as string
        w += 2
      }
    }
    if (w !== f.length) {
      f.length = w
      this.encodedCache = undefined
    }
  }

  /** Replaces every entry (proxy_set_header_map_pairs); names are lowercased. */
  replaceAll(flat: string[]): void {
    for (let i = 0; i < flat.length; i += 2) flat[i] = (flat[i] as string).toLowerCase()
    this.#flat = flat
    this.encodedCache = undefined
  }

  *[Symbol.iterator](): IterableIterator<[string, string]> {
    const f = this.#flat
    for (let i = 0; i < f.length; i += 2) yield [f[i] as string, f[i + 1] as string]
  }

  toObject(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const [k, v] of this) out[k] = k in out ? `${out[k]}, ${v}` : v
    return out
  }
}
