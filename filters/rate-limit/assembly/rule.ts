// The configuration, precomputed for the request path: everything a request needs is a number
// or a byte buffer made once in onConfigure.
import { Counter } from "wasmgate/sdk/assembly"

export enum KeySource { ClientAddress, Header, Path, Method, Host }

/** One part of a bucket key: where its bytes come from. */
export class KeyPart {
  constructor(public readonly source: KeySource, public readonly header: ArrayBuffer) {}
}

/** `requests` per `periodSeconds`, with room for `burst` at once: one token bucket. */
export class Limit {
  /** Nanoseconds one token takes to come back (period / requests). */
  readonly intervalNs: u64
  /** How far ahead of now the bucket's schedule may run: burst tokens' worth. */
  readonly toleranceNs: u64

  constructor(public readonly requests: u32, public readonly periodSeconds: u32, public readonly burst: u32) {
    this.intervalNs = <u64>periodSeconds * 1_000_000_000 / <u64>requests
    this.toleranceNs = this.intervalNs * <u64>burst
  }
}

export enum MissingKey { Share, Skip }

export class Rule {
  name: string = ""
  /** Exact path (without the query) this rule is limited to; empty: any. */
  path: ArrayBuffer = new ArrayBuffer(0)
  /** Path prefix; empty: any. */
  prefix: ArrayBuffer = new ArrayBuffer(0)
  /** Methods (upper case); empty: any. */
  methods: ArrayBuffer[] = []
  key: KeyPart[] = []
  limits: Limit[] = []
  onMissingKey: MissingKey = MissingKey.Share
  /** `<domain>:<rule>:<signature>:` — the shared-data key before the 16 hex digits of the key hash. */
  keyPrefix: ArrayBuffer = new ArrayBuffer(0)
  /** The `ratelimit-policy` value, e.g. `10;w=1, 100;w=60`. */
  policy: ArrayBuffer = new ArrayBuffer(0)
  /** `{"code":"rate_limited","rule":"NAME","retryAfterSeconds":` — the 429 body up to the number. */
  bodyPrefix: ArrayBuffer = new ArrayBuffer(0)
  allowed: Counter | null = null
  limited: Counter | null = null

  get needsPath(): bool {
    if (this.path.byteLength > 0 || this.prefix.byteLength > 0) return true
    for (let i = 0; i < this.key.length; i++) if (unchecked(this.key[i]).source == KeySource.Path) return true
    return false
  }
}

export enum Mode { Enforce, DryRun }

export class Settings {
  rules: Rule[] = []
  mode: Mode = Mode.Enforce
  responseHeaders: bool = true
  statusCode: u32 = 429
  errors: Counter | null = null
}
