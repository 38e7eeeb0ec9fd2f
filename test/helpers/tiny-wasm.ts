/**
 * Hand-assembled proxy-wasm-shaped modules for OCI tests: valid Wasm with an ABI marker export,
 * an allocator export, optionally an import and a padding custom section (for large blobs).
 * They compile, which is all push/pull/inspect need; they are not meant to serve requests.
 */

export interface TinyWasmOptions {
  /** ABI marker(s) to export, e.g. `0_2_1`; none gives a module without a marker. */
  readonly abi?: readonly string[]
  /** Import env.proxy_log (i32,i32,i32)->i32. */
  readonly withImport?: boolean
  /** Bytes of a custom section named `pad`, to make the module as large as a test needs. */
  readonly padBytes?: number
  /** Any string; changes the bytes (and so the digest) without changing behaviour. */
  readonly salt?: string
}

export function tinyWasm(options: TinyWasmOptions = {}): Buffer {
  const abi = options.abi ?? ['0_2_1']
  const i32 = 0x7f
  const types = [
    [0x60, 0, 0], // () -> ()
    [0x60, 3, i32, i32, i32, 1, i32], // (i32,i32,i32) -> i32
    [0x60, 1, i32, 1, i32], // (i32) -> i32
  ]
  const sections: Buffer[] = [Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00])]
  sections.push(section(1, vec(types.map((t) => Buffer.from(t)))))
  const importCount = options.withImport ? 1 : 0
  if (options.withImport) {
    sections.push(section(2, vec([Buffer.concat([name('env'), name('proxy_log'), Buffer.from([0x00, 1])])])))
  }
  // Two functions: a marker () -> () and an allocator (i32) -> i32.
  sections.push(section(3, vec([Buffer.from([0]), Buffer.from([2])])))
  sections.push(section(5, vec([Buffer.from([0x00, 1])]))) // memory, min 1 page
  const exports: Buffer[] = [Buffer.concat([name('memory'), Buffer.from([0x02, 0])])]
  for (const v of abi) exports.push(Buffer.concat([name(`proxy_abi_version_${v}`), Buffer.from([0x00, importCount])]))
  exports.push(Buffer.concat([name('proxy_on_memory_allocate'), Buffer.from([0x00, importCount + 1])]))
  sections.push(section(7, vec(exports)))
  const marker = body([0x0b])
  const alloc = body([0x41, 0x00, 0x0b]) // i32.const 0; end
  sections.push(section(10, vec([marker, alloc])))
  if (options.salt !== undefined) sections.push(customSection('salt', Buffer.from(options.salt)))
  if (options.padBytes !== undefined) sections.push(customSection('pad', Buffer.alloc(options.padBytes, 0xab)))
  return Buffer.concat(sections)
}

/** A custom section (id 0) named `sectionName` holding `payload`; appending one changes the digest, not the behaviour. */
export function customSection(sectionName: string, payload: Uint8Array): Buffer {
  return section(0, Buffer.concat([name(sectionName), payload]))
}

/** Unsigned LEB128, as Wasm encodes sizes and counts. */
export function leb(n: number): Buffer {
  const out: number[] = []
  do {
    let byte = n & 0x7f
    n = Math.floor(n / 128)
    if (n !== 0) byte |= 0x80
    out.push(byte)
  } while (n !== 0)
  return Buffer.from(out)
}

function name(s: string): Buffer {
  const b = Buffer.from(s, 'utf8')
  return Buffer.concat([leb(b.length), b])
}

function vec(items: Buffer[]): Buffer {
  return Buffer.concat([leb(items.length), ...items])
}

function section(id: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([id]), leb(content.length), content])
}

function body(code: number[]): Buffer {
  const content = Buffer.from([0, ...code]) // no locals
  return Buffer.concat([leb(content.length), content])
}
