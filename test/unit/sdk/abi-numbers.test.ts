// The ABI numbers live twice on purpose (host/abi/constants.ts for the host,
// sdk/assembly/abi/types.ts for the guest; sdk/ and host/ never import each other). This test
// reads the AssemblyScript enums as text and checks every value against the host's table.
import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const root = new URL('../../../', import.meta.url)
const sdkTypes = new URL('sdk/assembly/abi/types.ts', root)
const hostConstants = new URL('host/abi/constants.ts', root)

/** `export enum Name { A = 0, B = -1 }` blocks -> { Name: { A: 0, B: -1 } } */
function parseAsEnums(text: string): Record<string, Record<string, number>> {
  const enums: Record<string, Record<string, number>> = {}
  for (const m of text.matchAll(/export enum (\w+) \{([^}]*)\}/g)) {
    const members: Record<string, number> = {}
    for (const line of (m[2] ?? '').split('\n')) {
      const member = /^\s*(\w+)\s*=\s*(-?\d+)\s*,?\s*$/.exec(line)
      if (member) members[member[1] as string] = Number(member[2])
    }
    enums[m[1] as string] = members
  }
  return enums
}

// SDK enum name -> host constant name, where the two sides name an enum differently.
const HOST_NAME: Record<string, string> = { FilterHeadersStatus: 'HeadersStatus', FilterDataStatus: 'DataStatus' }
// Guest-only enums: the host reads these values through HeadersStatus/Action instead.
const GUEST_ONLY = new Set(['FilterTrailersStatus'])

describe('ABI numbers: SDK enums equal the host constants', () => {
  const sdk = parseAsEnums(readFileSync(sdkTypes, 'utf8'))

  it('parses the SDK enums', () => {
    expect(Object.keys(sdk)).toEqual(expect.arrayContaining(['Status', 'LogLevel', 'BufferType', 'MapType', 'StreamType', 'MetricType', 'PeerType', 'GrpcStatus']))
    expect(sdk.Status?.InvalidMemoryAccess).toBe(6)
  })

  it('matches host/abi/constants.ts value for value, in both directions', async () => {
    if (!existsSync(hostConstants)) throw new Error('host/abi/constants.ts does not exist yet: the ABI host must define the proxy-wasm constants there')
    const host = (await import(hostConstants.href)) as Record<string, Record<string, number> | undefined>
    for (const [name, members] of Object.entries(sdk)) {
      if (GUEST_ONLY.has(name)) continue
      const hostName = HOST_NAME[name] ?? name
      const hostEnum = host[hostName]
      expect(hostEnum, `host/abi/constants.ts has no ${hostName} (SDK enum ${name})`).toBeDefined()
      const hostNumbers = Object.fromEntries(Object.entries(hostEnum ?? {}).filter(([, v]) => typeof v === 'number'))
      expect({ enum: name, ...hostNumbers }).toEqual({ enum: name, ...members })
    }
  })
})
