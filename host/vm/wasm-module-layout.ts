/**
 * @module
 * Splits a Wasm module into its sections and reads the few facts a rewriter needs to add a
 * global, an export and locals without renumbering anything: parameter counts per type, the
 * type of each defined function, how many functions and globals are imported, the globals
 * defined, and the export names. Section payloads are not copied.
 */
import { WasmBinaryReader } from './wasm-binary-reader.ts'
import { skipValType } from './wasm-instruction-decoder.ts'

export const SectionId = {
  Custom: 0, Type: 1, Import: 2, Function: 3, Table: 4, Memory: 5, Global: 6, Export: 7, Start: 8,
  Element: 9, Code: 10, Data: 11, DataCount: 12, Tag: 13,
} as const

/** Position of each known section in the required order (tag sits between memory and global). */
export const SECTION_ORDER: Readonly<Record<number, number>> = {
  1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13,
}

export interface Section {
  readonly id: number
  /** Offset of the section id byte. */
  readonly start: number
  /** Offset of the payload (after the size). */
  readonly payloadStart: number
  readonly end: number
  /** Custom sections only. */
  readonly name?: string
}

export interface ModuleLayout {
  readonly sections: readonly Section[]
  /** Parameter count per type index; -1 for non-function types (GC struct/array). */
  readonly paramCounts: readonly number[]
  /** Type index of each defined function, in function-section order. */
  readonly functionTypes: readonly number[]
  readonly importedGlobals: number
  readonly definedGlobals: number
  readonly exportNames: ReadonlySet<string>
}

const MAGIC = 0x6d736100 // "\0asm", little-endian

export function readModuleLayout(bytes: Uint8Array): ModuleLayout {
  const r = new WasmBinaryReader(bytes)
  if (bytes.length < 8 || new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(0, true) !== MAGIC) {
    r.fail('missing the \\0asm magic number', 0)
  }
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) {
    r.fail('unsupported binary version (a component, or not a core module)', 4)
  }
  r.pos = 8
  const sections: Section[] = []
  let paramCounts: number[] = []
  let functionTypes: number[] = []
  let importedGlobals = 0
  let definedGlobals = 0
  const exportNames = new Set<string>()
  while (!r.isAtEnd) {
    const start = r.pos
    const id = r.u8()
    const size = r.u32()
    const payloadStart = r.pos
    r.skip(size)
    const body = new WasmBinaryReader(bytes, payloadStart, r.pos)
    if (id === SectionId.Custom) {
      sections.push({ id, start, payloadStart, end: r.pos, name: body.name() })
      continue
    }
    if (SECTION_ORDER[id] === undefined) r.fail(`unknown section id ${id}`, start)
    sections.push({ id, start, payloadStart, end: r.pos })
    if (id === SectionId.Type) paramCounts = readParamCounts(body)
    else if (id === SectionId.Import) importedGlobals = countImportedGlobals(body)
    else if (id === SectionId.Function) functionTypes = readIndexVector(body)
    else if (id === SectionId.Global) definedGlobals = body.u32()
    else if (id === SectionId.Export) readExportNames(body, exportNames)
  }
  return { sections, paramCounts, functionTypes, importedGlobals, definedGlobals, exportNames }
}

function readParamCounts(r: WasmBinaryReader): number[] {
  const counts: number[] = []
  const groups = r.u32()
  for (let g = 0; g < groups; g++) {
    if (r.bytes[r.pos] === 0x4e) { // rec group
      r.pos++
      const members = r.u32()
      for (let m = 0; m < members; m++) counts.push(readSubType(r))
    } else {
      counts.push(readSubType(r))
    }
  }
  return counts
}

function readSubType(r: WasmBinaryReader): number {
  const form = r.bytes[r.pos]
  if (form === 0x50 || form === 0x4f) { // sub / sub final: supertypes then the composite type
    r.pos++
    readIndexVector(r)
  }
  return readCompositeType(r)
}

function readCompositeType(r: WasmBinaryReader): number {
  const at = r.pos
  const form = r.u8()
  if (form === 0x60) {
    const params = r.u32()
    for (let i = 0; i < params; i++) skipValType(r)
    const results = r.u32()
    for (let i = 0; i < results; i++) skipValType(r)
    return params
  }
  if (form === 0x5f || form === 0x5e) { // struct: vec(field); array: one field
    const fields = form === 0x5f ? r.u32() : 1
    for (let i = 0; i < fields; i++) {
      skipValType(r) // storage types i8/i16 are single bytes in the same range
      r.u8() // mutability
    }
    return -1
  }
  return r.fail(`unknown type form 0x${form.toString(16)}`, at)
}

function countImportedGlobals(r: WasmBinaryReader): number {
  let globals = 0
  const count = r.u32()
  for (let i = 0; i < count; i++) {
    r.name()
    r.name()
    const at = r.pos
    const kind = r.u8()
    switch (kind) {
      case 0x00: r.u32(); break // function: type index
      case 0x01: skipValType(r); skipLimits(r); break // table
      case 0x02: skipLimits(r); break // memory
      case 0x03: skipValType(r); r.u8(); globals++; break // global: type, mutability
      case 0x04: r.u8(); r.u32(); break // tag: attribute, type index
      default: r.fail(`unknown import kind ${kind}`, at)
    }
  }
  return globals
}

function skipLimits(r: WasmBinaryReader): void {
  const flags = r.u8() // bit 0: has max; bit 1: shared; bit 2: 64-bit
  r.skipLeb(10)
  if ((flags & 1) !== 0) r.skipLeb(10)
}

function readIndexVector(r: WasmBinaryReader): number[] {
  const count = r.u32()
  const out: number[] = []
  for (let i = 0; i < count; i++) out.push(r.u32())
  return out
}

function readExportNames(r: WasmBinaryReader, names: Set<string>): void {
  const count = r.u32()
  for (let i = 0; i < count; i++) {
    names.add(r.name())
    r.u8()
    r.u32()
  }
}
