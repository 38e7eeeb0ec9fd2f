// rate-limit: token buckets shared by every request through proxy-wasm shared data (CAS), with
// several limits per rule, keys built from the client address, headers, path, method or host,
// 429 answers with retry-after and ratelimit-* headers, and counters per rule.
// Configuration and behaviour: ../README.md. Schema: ../config.schema.json.
export {
  proxy_abi_version_0_2_1, malloc, proxy_on_memory_allocate, proxy_on_context_create, proxy_on_vm_start,
  proxy_on_configure, proxy_on_request_headers, proxy_on_response_headers, proxy_on_delete,
} from "wasmgate/sdk/assembly/abi/exports"
import {
  FilterHeadersStatus, HttpContext, LogLevel, RootContext, currentTimeNanoseconds, getPropertyString, log, registerRootContext,
} from "wasmgate/sdk/assembly"
import { Outcome, refund, take } from "./bucket-store"
import { readSettings } from "./config"
import { addResponseHeaders, ceilSeconds, sendLimited } from "./reply"
import { RequestView } from "./request-view"
import { Mode, Rule, Settings } from "./rule"

// One request runs to completion inside onRequestHeaders, so these are shared by all requests.
const view = new RequestView()
const outcome = new Outcome()
/** Rules that charged the current request, and their key hashes, for refunds. */
const charged = new StaticArray<Rule | null>(64)
const chargedHash = new StaticArray<u64>(64)

class RateLimitRoot extends RootContext {
  settings: Settings = new Settings()

  onConfigure(configurationSize: usize): bool {
    const cfg = this.config()
    const name = getPropertyString(["plugin_name"])
    const settings = readSettings(cfg, name == null ? "" : name)
    if (!cfg.check()) return false
    this.settings = settings
    log.info("rate-limit: " + settings.rules.length.toString() + " rule(s), mode " + (settings.mode == Mode.DryRun ? "dry_run" : "enforce"))
    return true
  }

  createHttpContext(contextId: u32): HttpContext {
    return new RateLimitHttp(contextId, this)
  }
}

class RateLimitHttp extends HttpContext {
  /** The ratelimit-* figures for the response; policy is null when it carries none. */
  policy: ArrayBuffer | null = null
  limit: u32 = 0
  remaining: u64 = 0
  resetSeconds: u64 = 0

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const s = changetype<RateLimitRoot>(this.root).settings
    const rules = s.rules
    outcome.reset()
    let nCharged = 0
    let nowNs: u64 = 0
    for (let i = 0; i < rules.length; i++) {
      const rule = unchecked(rules[i])
      if (!view.matches(rule)) continue
      const hash = view.keyHash(rule)
      if (view.skip) continue
      if (nowNs == 0) nowNs = currentTimeNanoseconds()
      if (take(rule, hash, nowNs, outcome)) {
        if (outcome.failed) {
          s.errors!.increment()
          log.warn("rate-limit: shared data did not answer for rule " + rule.name + "; request admitted")
          outcome.failed = false
          continue
        }
        unchecked(charged[nCharged] = rule)
        unchecked(chargedHash[nCharged] = hash)
        nCharged++
      } else {
        break
      }
    }
    view.end()
    if (outcome.allowed) {
      for (let i = 0; i < nCharged; i++) unchecked(charged[i])!.allowed!.increment()
      if (outcome.has && s.responseHeaders && s.mode == Mode.Enforce) {
        this.policy = outcome.policy
        this.limit = outcome.limit
        this.remaining = outcome.remaining
        this.resetSeconds = ceilSeconds(outcome.resetNs)
      }
      return FilterHeadersStatus.Continue
    }
    const rule = outcome.rule!
    rule.limited!.increment()
    if (log.level() <= LogLevel.Debug) {
      log.debug("rate-limit: rule " + rule.name + " limited a request; retry after " + ceilSeconds(outcome.waitNs).toString() + "s" + (s.mode == Mode.DryRun ? " (dry run: admitted)" : ""))
    }
    if (s.mode == Mode.DryRun) {
      for (let i = 0; i < nCharged; i++) unchecked(charged[i])!.allowed!.increment()
      return FilterHeadersStatus.Continue
    }
    // A refused request costs nothing in the rules that had already charged it.
    for (let i = 0; i < nCharged; i++) refund(unchecked(charged[i])!, unchecked(chargedHash[i]))
    sendLimited(s.statusCode, rule, outcome.waitNs, outcome.limit, outcome.remaining, ceilSeconds(outcome.resetNs), outcome.policy!)
    return FilterHeadersStatus.StopIteration
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const policy = this.policy
    if (policy != null) addResponseHeaders(this.limit, this.remaining, this.resetSeconds, policy)
    return FilterHeadersStatus.Continue
  }
}

registerRootContext((contextId: u32): RootContext => new RateLimitRoot(contextId))
