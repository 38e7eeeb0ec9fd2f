// Maps the host's context ids to the author's context objects, and routes each proxy_on_*
// callback to the right method. A one-entry cache serves the common case (consecutive
// callbacks for one request) without a map lookup.
import { proxy_get_property, proxy_set_effective_context } from "../abi/imports"
import { Status } from "../abi/types"
import { BaseContext, HttpCallCallback, HttpContext, RootContext } from "../context"
import { HttpCallResponse } from "../http-call"
import { sdkAbort } from "./abort"
import { ContextTable } from "./context-table"
import { OUT_PTR, OUT_SIZE, scratchBase, takeString } from "./memory"
import { encodePath } from "./pairs"

export type RootContextFactory = (contextId: u32) => RootContext

class Factory {
  constructor(public rootId: string, public create: RootContextFactory) {}
}

class PendingCall {
  constructor(public contextId: u32, public callback: HttpCallCallback | null) {}
}

// @ts-ignore: decorator
@lazy const factories = new Array<Factory>()
let singleFactory: RootContextFactory | null = null
// Set only when root ids are used, so single-root filters carry none of this code.
let chooseFactory: (() => RootContextFactory) | null = null
const contexts = new ContextTable()
// @ts-ignore: decorator
@lazy const pendingCalls = new Map<u32, PendingCall>()
let lastId: u32 = 0
let last: HttpContext | null = null

/**
 * Registers the filter's root context. Call it once at the top level. The proxy creates one
 * root context per plugin (configuration) and asks it for an HttpContext per request.
 */
export function registerRootContext(factory: RootContextFactory): void {
  singleFactory = factory
}

/**
 * Registers a root context for one `rootId` (the `rootId` of a filter in the proxy's config),
 * for modules that hold several plugins. "" registers the fallback.
 */
export function registerRootContextFor(rootId: string, factory: RootContextFactory): void {
  factories.push(new Factory(rootId, factory))
  chooseFactory = chooseByRootId
}

function chooseByRootId(): RootContextFactory {
  const size = encodePath(["plugin_root_id"], 0)
  let id = ""
  if (proxy_get_property(scratchBase(), size, OUT_PTR, OUT_SIZE) == Status.Ok) id = takeString(load<u32>(OUT_PTR), load<u32>(OUT_SIZE))
  let fallback = singleFactory
  for (let i = 0; i < factories.length; i++) {
    const f = unchecked(factories[i])
    if (f.rootId == id) return f.create
    if (f.rootId == "") fallback = f.create
  }
  if (fallback == null) sdkAbort("no root context registered for root id '" + id + "'", null, 0, 0)
  return fallback!
}

function createRoot(contextId: u32): RootContext {
  const choose = chooseFactory
  const factory = choose != null ? choose() : singleFactory
  if (factory == null) sdkAbort("no root context: call registerRootContext() at the top level", null, 0, 0)
  return factory!(contextId)
}

export function onContextCreate(contextId: u32, parentId: u32): void {
  if (parentId == 0) {
    const root = createRoot(contextId)
    root.isRoot = true
    contexts.set(contextId, root)
    return
  }
  contexts.set(contextId, getRoot(parentId).createHttpContext(contextId))
}

// The host logs which callback trapped, so the message needs only the id.
function unknown(kind: string, contextId: u32): void {
  sdkAbort("unknown " + kind + " context id " + contextId.toString(), null, 0, 0)
}

export function getRoot(contextId: u32): RootContext {
  const ctx = find(contextId)
  if (ctx == null || !ctx.isRoot) unknown("root", contextId)
  return changetype<RootContext>(ctx)
}

export function getHttp(contextId: u32): HttpContext {
  if (contextId == lastId && last != null) return last!
  const ctx = find(contextId)
  if (ctx == null || ctx.isRoot) unknown("http", contextId)
  const http = changetype<HttpContext>(ctx)
  lastId = contextId
  last = http
  return http
}

function find(contextId: u32): BaseContext | null {
  return contexts.get(contextId)
}

export function onDone(contextId: u32): bool {
  const ctx = find(contextId)
  return ctx == null ? true : ctx.onDone()
}

export function onDelete(contextId: u32): void {
  const ctx = find(contextId)
  if (ctx == null) return
  ctx.onDelete()
  if (contextId == lastId) {
    lastId = 0
    last = null
  }
  contexts.delete(contextId)
}

export function trackHttpCall(token: u32, contextId: u32, callback: HttpCallCallback | null): void {
  pendingCalls.set(token, new PendingCall(contextId, callback))
}

export function onHttpCallResponse(rootId: u32, token: u32, numHeaders: u32, bodySize: usize, numTrailers: u32): void {
  if (!pendingCalls.has(token)) return
  const call = pendingCalls.get(token)
  pendingCalls.delete(token)
  const ctx = find(call.contextId)
  if (ctx == null) return // the request that made the call has ended
  // Responses arrive on the root context; hostcalls inside the handler must act on the origin.
  if (call.contextId != rootId && proxy_set_effective_context(call.contextId) != Status.Ok) return
  const res = new HttpCallResponse(token, numHeaders, bodySize, numTrailers)
  const cb = call.callback
  if (cb != null) cb(ctx, res)
  else ctx.onHttpCallResponse(res)
}

export function onLog(contextId: u32): void {
  // The host may call on_log for a root context too; only requests have access logs.
  const ctx = find(contextId)
  if (ctx != null && !ctx.isRoot) changetype<HttpContext>(ctx).onLog()
}
