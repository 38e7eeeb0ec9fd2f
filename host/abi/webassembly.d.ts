/**
 * The slice of the WebAssembly JS API the host uses. tsconfig's libs (ES2023 + node) carry no
 * WebAssembly types, so they are declared here once, ambiently, for host/abi and host/vm.
 */
export {}

declare global {
  namespace WebAssembly {
    type ImportExportKind = 'function' | 'table' | 'memory' | 'global' | 'tag'
    interface ModuleExportDescriptor {
      kind: ImportExportKind
      name: string
    }
    interface ModuleImportDescriptor {
      kind: ImportExportKind
      module: string
      name: string
    }
    type ImportValue = unknown
    type ModuleImports = Record<string, ImportValue>
    type Imports = Record<string, ModuleImports>
    type Exports = Record<string, unknown>

    class Module {
      constructor(bytes: Uint8Array)
      static exports(module: Module): ModuleExportDescriptor[]
      static imports(module: Module): ModuleImportDescriptor[]
      static customSections(module: Module, sectionName: string): ArrayBuffer[]
    }
    class Instance {
      constructor(module: Module, imports?: Imports)
      readonly exports: Exports
    }
    class Memory {
      constructor(descriptor: { initial: number; maximum?: number })
      readonly buffer: ArrayBuffer
      grow(delta: number): number
    }
    class Global {
      value: unknown
    }
    class CompileError extends Error {}
    class LinkError extends Error {}
    class RuntimeError extends Error {}
    function validate(bytes: Uint8Array): boolean
    function compile(bytes: Uint8Array): Promise<Module>
  }
}
