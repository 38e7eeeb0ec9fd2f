/**
 * @module
 * Just enough tar for the compat image: write a deterministic ustar archive of a few small
 * files, and find one file by basename in an archive someone else built (docker, buildah),
 * which may carry pax or GNU long-name records. The reader is guest-facing: every length is
 * bounds-checked and a malformed archive gives WG_ERR_OCI_FORMAT.
 */
import { WasmgateError } from '../errors.ts'

const BLOCK = 512

export interface TarFile {
  readonly name: string
  readonly bytes: Uint8Array
}

/** A ustar archive with fixed owner, mode and mtime, so the same files give the same bytes. */
export function writeTar(files: readonly TarFile[], mtimeSeconds = 0): Buffer {
  const parts: Buffer[] = []
  for (const file of files) {
    if (Buffer.byteLength(file.name) > 100) throw new RangeError(`tar name too long: ${file.name}`)
    const header = Buffer.alloc(BLOCK)
    header.write(file.name, 0, 100, 'utf8')
    header.write('0000644\0', 100, 'ascii') // mode
    header.write('0000000\0', 108, 'ascii') // uid
    header.write('0000000\0', 116, 'ascii') // gid
    header.write(`${file.bytes.length.toString(8).padStart(11, '0')}\0`, 124, 'ascii')
    header.write(`${mtimeSeconds.toString(8).padStart(11, '0')}\0`, 136, 'ascii')
    header.write('        ', 148, 'ascii') // checksum is computed with spaces here
    header.write('0', 156, 'ascii') // regular file
    header.write('ustar\0' + '00', 257, 'ascii')
    let sum = 0
    for (const b of header) sum += b
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii')
    parts.push(header, Buffer.from(file.bytes), Buffer.alloc(padding(file.bytes.length)))
  }
  parts.push(Buffer.alloc(BLOCK * 2))
  return Buffer.concat(parts)
}

/** The content of the first regular file whose basename is `basename`, or undefined. */
export function findInTar(archive: Uint8Array, basename: string, what: string): Uint8Array | undefined {
  const fail = (problem: string): never => {
    throw new WasmgateError('WG_ERR_OCI_FORMAT', [what, `malformed tar layer: ${problem}`])
  }
  const buf = Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength)
  let offset = 0
  let longName: string | undefined
  while (offset + BLOCK <= buf.length) {
    const header = buf.subarray(offset, offset + BLOCK)
    if (header.every((b) => b === 0)) return undefined // end of archive
    let sum = 0
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!
    const stored = parseOctal(header.subarray(148, 156))
    if (stored !== sum) fail(`bad header checksum at offset ${offset}`)
    const size = parseSize(header.subarray(124, 136))
    if (size === undefined) fail(`bad size field at offset ${offset}`)
    const dataStart = offset + BLOCK
    const dataEnd = dataStart + size!
    if (dataEnd > buf.length) fail(`entry at offset ${offset} runs past the end`)
    const type = String.fromCharCode(header[156]!)
    const data = buf.subarray(dataStart, dataEnd)
    if (type === 'L') {
      longName = cString(data)
    } else if (type === 'x') {
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))?.[1]
      if (path !== undefined) longName = path
    } else {
      const prefix = cString(header.subarray(345, 500))
      const name = longName ?? (prefix === '' ? '' : `${prefix}/`) + cString(header.subarray(0, 100))
      longName = undefined
      if ((type === '0' || type === '\0') && name.split('/').pop() === basename) return data
    }
    offset = dataStart + size! + padding(size!)
  }
  return undefined
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0)
  return Buffer.from(end < 0 ? bytes : bytes.subarray(0, end)).toString('utf8')
}

function parseOctal(field: Uint8Array): number {
  const text = cString(field).trim()
  return /^[0-7]+$/.test(text) ? Number.parseInt(text, 8) : -1
}

/** Octal, or GNU base-256 when the high bit is set. */
function parseSize(field: Uint8Array): number | undefined {
  if ((field[0]! & 0x80) !== 0) {
    let value = 0
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!
    return Number.isSafeInteger(value) ? value : undefined
  }
  const value = parseOctal(field)
  return value < 0 ? undefined : value
}
