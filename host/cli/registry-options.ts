/**
 * @module
 * Flags shared by the registry commands (push, pull, login, inspect): TLS trust, credentials,
 * and a progress bar that only appears on a terminal and never with --json.
 */
import { readFile } from 'node:fs/promises'
import { text } from 'node:stream/consumers'
import { SingleBar, Presets } from 'cli-progress'
import type { Command } from 'commander'
import { WasmgateError } from '../errors.ts'
import { createCredentialSource, type RegistryClientOptions } from '../oci/index.ts'

export interface RegistryFlags {
  readonly insecure?: boolean
  readonly caFile?: string
  readonly username?: string
  readonly password?: string
  readonly passwordStdin?: boolean
  readonly json?: boolean
}

export function addRegistryOptions(command: Command): Command {
  return command
    .option('--insecure', 'allow plain http and unverified TLS for this registry (loopback registries may use http anyway)')
    .option('--ca-file <file>', 'trust this PEM CA for the registry, besides the system roots')
    .option('-u, --username <user>', 'registry user (default: docker credentials, or WASMGATE_REGISTRY_USERNAME)')
    .option('-p, --password <password>', 'registry password (prefer --password-stdin or WASMGATE_REGISTRY_PASSWORD)')
    .option('--password-stdin', 'read the registry password from stdin')
    .option('--json', 'print the result as one JSON object')
}

export async function clientOptions(flags: RegistryFlags): Promise<RegistryClientOptions & { username?: string; password?: string }> {
  const password = flags.passwordStdin === true ? (await text(process.stdin)).replace(/\r?\n$/, '') : flags.password
  if (password !== undefined && flags.username === undefined && process.env.WASMGATE_REGISTRY_USERNAME === undefined) {
    throw new WasmgateError('WG_ERR_CLI_USAGE', ['a password needs a user name: pass --username'])
  }
  const username = flags.username ?? (password === undefined ? undefined : process.env.WASMGATE_REGISTRY_USERNAME)
  let caPem: string | undefined
  if (flags.caFile !== undefined) {
    try {
      caPem = await readFile(flags.caFile, 'utf8')
    } catch (err) {
      throw new WasmgateError('WG_ERR_CLI_USAGE', [`cannot read --ca-file ${flags.caFile}: ${(err as Error).message}`], { cause: err })
    }
  }
  return {
    credentials: createCredentialSource({ ...(username === undefined ? {} : { username }), ...(password === undefined ? {} : { password }) }),
    onWarning: (warning) => process.stderr.write(`registry warning: ${warning}\n`),
    ...(flags.insecure === true ? { insecure: true } : {}),
    ...(caPem === undefined ? {} : { caPem }),
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  }
}

/** Blobs smaller than this finish too fast for a bar to be worth drawing. */
const PROGRESS_MIN_BYTES = 1024 * 1024

export interface Progress {
  update(label: string, bytesDone: number, bytesTotal: number): void
  stop(): void
}

export function createProgress(flags: RegistryFlags): Progress {
  if (flags.json === true || process.stderr.isTTY !== true) return { update() {}, stop() {} }
  let bar: SingleBar | undefined
  let current = ''
  return {
    update(label, done, total) {
      if (total < PROGRESS_MIN_BYTES) return
      if (bar === undefined || label !== current) {
        bar?.stop()
        current = label
        bar = new SingleBar({ format: `${label} [{bar}] {percentage}% {value}/{total} bytes`, stream: process.stderr, hideCursor: true }, Presets.shades_classic)
        bar.start(total, 0)
      }
      bar.update(done)
    },
    stop() {
      bar?.stop()
    },
  }
}

export function printResult(flags: RegistryFlags, json: unknown, lines: readonly string[]): void {
  process.stdout.write(flags.json === true ? `${JSON.stringify(json)}\n` : `${lines.join('\n')}\n`)
}
