/**
 * @module
 * `wasmgate login REGISTRY`: check credentials against the registry, then store them the docker
 * way (credential helper if configured, else `auths` in $DOCKER_CONFIG/config.json), so docker,
 * skopeo and wasmgate share them.
 */
import type { Command } from 'commander'
import { WasmgateError } from '../../errors.ts'
import { createCredentialSource, parseReference, RegistryClient, storeCredential } from '../../oci/index.ts'
import { addRegistryOptions, clientOptions, printResult, type RegistryFlags } from '../registry-options.ts'

export function registerLogin(program: Command): void {
  const command = program
    .command('login')
    .description('verify and store credentials for an OCI registry')
    .argument('<registry>', 'host[:port] of the registry')
  addRegistryOptions(command).action(async (registryText: string, flags: RegistryFlags) => {
    const options = await clientOptions(flags)
    const username = options.username ?? process.env.WASMGATE_REGISTRY_USERNAME
    const password = options.password ?? process.env.WASMGATE_REGISTRY_PASSWORD
    if (username === undefined || password === undefined) {
      throw new WasmgateError('WG_ERR_CLI_USAGE', ['login needs --username and a password (--password-stdin, --password or WASMGATE_REGISTRY_PASSWORD)'])
    }
    const ref = parseReference(`${registryText.replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '')}/probe/probe`)
    const client = new RegistryClient(ref.registry, ref.apiHost, { ...options, credentials: createCredentialSource({ username, password, env: {} }) })
    try {
      await client.ping()
    } finally {
      await client.close()
    }
    const where = await storeCredential(ref.registry, { username, password })
    printResult(flags, { registry: ref.registry, username, storedIn: where }, [`login succeeded for ${username} at ${ref.registry}; stored in ${where}`])
  })
}
