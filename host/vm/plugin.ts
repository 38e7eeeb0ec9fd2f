/**
 * @module
 * A configured plugin (Envoy: one filter config = root_id + plugin configuration on a VM) and
 * its start sequence on a fresh instance, as cpp-host runs it: proxy_on_context_create(root, 0),
 * proxy_on_vm_start(root, vm_config_size), proxy_on_configure(root, plugin_config_size).
 * A false return or a trap refuses the plugin (WG_ERR_FILTER_START_FAILED / _CONFIGURE_FAILED).
 */
import { WasmgateError } from '../errors.ts'
import type { AbiContext } from '../abi/abi-host.ts'
import type { FailurePolicy } from '../config/schema.ts'
import { TRAPPED, type VmInstance } from './instance.ts'

export interface PluginSpec {
  readonly name: string
  readonly rootId: string
  readonly vmId: string
  /** PLUGIN_CONFIGURATION bytes (object/array config → JSON, string → raw). */
  readonly configuration: Uint8Array
  /** VM_CONFIGURATION bytes. */
  readonly vmConfiguration: Uint8Array
  readonly failurePolicy: FailurePolicy
  /** WASI environment, "KEY=VALUE". */
  readonly environ: readonly string[]
}

/** Which configuration buffer a root context exposes: VM config in vm_start, plugin config in configure. */
export type RootPhase = 'created' | 'vm_start' | 'configure' | 'running' | 'done'

export interface RootLifecycle extends AbiContext {
  phase: RootPhase
}

export function startPlugin(instance: VmInstance, root: RootLifecycle, spec: PluginSpec): void {
  instance.addContext(root)
  const create = instance.fn('proxy_on_context_create')
  if (create !== undefined && instance.call('proxy_on_context_create', create, root, root.id, 0) === TRAPPED) {
    throw new WasmgateError('WG_ERR_FILTER_START_FAILED', [spec.name, `trapped in proxy_on_context_create: ${instance.failed?.message}`])
  }
  root.phase = 'vm_start'
  const vmStart = instance.fn('proxy_on_vm_start')
  if (vmStart !== undefined) {
    const r = instance.call('proxy_on_vm_start', vmStart, root, root.id, spec.vmConfiguration.length)
    if (r === TRAPPED) throw new WasmgateError('WG_ERR_FILTER_START_FAILED', [spec.name, `trapped: ${failText(instance)}`])
    if (r === 0) throw new WasmgateError('WG_ERR_FILTER_START_FAILED', [spec.name, 'returned false'])
  }
  root.phase = 'configure'
  const configure = instance.fn('proxy_on_configure')
  if (configure !== undefined) {
    const r = instance.call('proxy_on_configure', configure, root, root.id, spec.configuration.length)
    if (r === TRAPPED) throw new WasmgateError('WG_ERR_FILTER_CONFIGURE_FAILED', [spec.name, `trapped: ${failText(instance)}`])
    if (r === 0) throw new WasmgateError('WG_ERR_FILTER_CONFIGURE_FAILED', [spec.name, 'returned false'])
  }
  root.phase = 'running'
}

function failText(instance: VmInstance): string {
  const f = instance.failed
  if (f === undefined) return 'unknown'
  return f.location === undefined ? f.message : `${f.message} at ${f.location}`
}
