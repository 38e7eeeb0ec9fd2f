// The auth filter's configuration, parsed and checked once in onConfigure (see config.ts). These
// are plain data classes; everything a request needs is precomputed here.
import { VerifyKey } from "./keys"

export const METHOD_API_KEY: u8 = 1
export const METHOD_JWT: u8 = 2

export class ApiKey {
  constructor(public name: string, public hash: Uint8Array) {}
}

export class ApiKeySettings {
  header: string = ""
  query: string = ""
  keys: ApiKey[] = []
  /** Header that receives the matched key's name ("" = none). */
  consumerHeader: string = ""
  strip: bool = false
}

export class ClaimHeader {
  constructor(public claim: string[], public header: string) {}
}

export class JwksSettings {
  cluster: string = ""
  path: string = ""
  authority: string = ""
  refreshMs: u32 = 300_000
  retryMs: u32 = 5_000
  timeoutMs: u32 = 5_000
}

export class JwtSettings {
  header: string = "authorization"
  /** Expected scheme before the token in `header`, with its space ("Bearer "); "" = raw token. */
  prefix: string = "Bearer "
  query: string = ""
  /** Bit i set = algorithm i allowed (ALG_HS256...). */
  algorithms: u32 = 0
  issuers: string[] = []
  audiences: string[] = []
  clockSkewS: i64 = 60
  requireExp: bool = true
  keys: VerifyKey[] = []
  jwks: JwksSettings | null = null
  claimHeaders: ClaimHeader[] = []
  strip: bool = false
}

export class ExtAuthzSettings {
  cluster: string = ""
  pathPrefix: string = ""
  authority: string = ""
  timeoutMs: u32 = 1_000
  /** Request headers sent to the service (lowercase). */
  headers: string[] = ["authorization"]
  /** Service response headers copied into the upstream request on allow; "x-*" is a prefix. */
  upstreamHeaders: string[] = []
  /** Service response headers passed to the client on deny. */
  clientHeaders: string[] = ["www-authenticate", "content-type", "location", "set-cookie"]
  failOpen: bool = false
  statusOnError: u32 = 503
}

export class RequiredClaim {
  constructor(public claim: string[], public value: string) {}
}

export class Rule {
  /** Path prefix ("" matches every path) or an exact path. */
  prefix: string = ""
  exact: string = ""
  /** Uppercase HTTP methods the rule applies to; empty = all. */
  methods: string[] = []
  isPublic: bool = false
  deny: bool = false
  /** METHOD_* bits: one of these credentials must be valid. */
  credentials: u8 = 0
  extAuthz: bool = false
  claims: RequiredClaim[] = []
}

export class AuthSettings {
  realm: string = "wasmgate"
  apiKeys: ApiKeySettings | null = null
  jwt: JwtSettings | null = null
  extAuthz: ExtAuthzSettings | null = null
  rules: Rule[] = []
  /** Applies when no rule matches: every configured credential, and ext authz if configured. */
  fallback: Rule = new Rule()
  /** Request headers the filter sets; removed from every request first so clients cannot forge them. */
  ownedHeaders: string[] = []
  /** Prefixes of owned headers (ext authz "x-auth-*"): every request header is checked. */
  ownedPrefixes: string[] = []
}

