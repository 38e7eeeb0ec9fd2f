/**
 * @module
 * Every limit of the ABI host in one place, with why it has the value it has
 * (cpp-host keeps its equivalents in include/proxy-wasm/limits.h).
 */

/** A serialized header map larger than this decodes as empty, as in cpp-host. */
export const MAX_PAIRS_BYTES = 1024 * 1024
/** More pairs than this decode as empty, as in cpp-host (PROXY_WASM_HOST_PAIRS_MAX_COUNT). */
export const MAX_PAIRS_COUNT = 1024
/** random_get refuses larger requests with EINVAL (cpp-host's 64 KiB). */
export const MAX_RANDOM_BYTES = 64 * 1024
/** One proxy_log / fd_write message is cut here so a guest cannot flood the log with one line. */
export const MAX_LOG_MESSAGE_BYTES = 64 * 1024
/** A property path longer than this is NotFound without being decoded. */
export const MAX_PROPERTY_PATH_BYTES = 4096
/** Items kept per shared queue; enqueue beyond it drops the oldest (cpp-host has no limit; we bound memory). */
export const MAX_SHARED_QUEUE_ITEMS = 10_000
/** Loop iterations a guest callback may run before the metering budget traps (WG_ERR_FILTER_DEADLINE). */
export const DEFAULT_CALLBACK_BUDGET = 50_000_000
/** First delay of failurePolicy "reload" after a trap; doubles per consecutive failure (Envoy: 1 s base). */
export const RELOAD_BACKOFF_BASE_MS = 1000
export const RELOAD_BACKOFF_MAX_MS = 30_000
/** A tick period below this is raised to it, so a guest cannot spin the event loop with 1 ms ticks. */
export const MIN_TICK_PERIOD_MS = 1
