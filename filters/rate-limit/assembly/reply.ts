// The client-facing side: the 429 answer and the ratelimit-* headers on admitted responses,
// written as bytes straight into the hostcalls (no strings per request).
//
// Header fields follow the IETF httpapi rate-limit headers draft in its widely deployed form:
// ratelimit-limit (bucket size), ratelimit-remaining (tokens left), ratelimit-reset (seconds
// until the bucket is full again), ratelimit-policy (`requests;w=seconds` for each limit).
import { proxy_replace_header_map_value, proxy_send_local_response } from "wasmgate/sdk/assembly/abi/imports"
import { MapType } from "wasmgate/sdk/assembly"
import { ByteWriter, utf8 } from "./byte-writer"
import { Rule } from "./rule"

const RETRY_AFTER = utf8("retry-after")
const LIMIT = utf8("ratelimit-limit")
const REMAINING = utf8("ratelimit-remaining")
const RESET = utf8("ratelimit-reset")
const POLICY = utf8("ratelimit-policy")
const CONTENT_TYPE = utf8("content-type")
const JSON_TYPE = utf8("application/json")
const DETAILS = utf8("rate_limited")

const body = new ByteWriter()
const pairs = new ByteWriter()
const value = new ByteWriter()

/** Whole seconds, rounded up: a client that waits this long finds a token. */
export function ceilSeconds(ns: u64): u64 {
  return (ns + 999_999_999) / 1_000_000_000
}

function numberPair(index: u32, name: ArrayBuffer, n: u64): void {
  const start = pairs.pairName(index, name)
  pairs.uint(n)
  pairs.pairValueEnd(index, start)
}

function bytesPair(index: u32, name: ArrayBuffer, v: ArrayBuffer): void {
  const start = pairs.pairName(index, name)
  pairs.bytes(v)
  pairs.pairValueEnd(index, start)
}

/** Answers the request with `statusCode`, retry-after, the ratelimit-* headers and a JSON body. */
export function sendLimited(statusCode: u32, rule: Rule, waitNs: u64, limit: u32, remaining: u64, resetSeconds: u64, policy: ArrayBuffer): void {
  const retryAfter = max<u64>(1, ceilSeconds(waitNs))
  body.reset().bytes(rule.bodyPrefix).uint(retryAfter).byte(0x7d) // }
  pairs.beginPairs(6)
  bytesPair(0, CONTENT_TYPE, JSON_TYPE)
  numberPair(1, RETRY_AFTER, retryAfter)
  numberPair(2, LIMIT, limit)
  numberPair(3, REMAINING, remaining)
  numberPair(4, RESET, resetSeconds)
  bytesPair(5, POLICY, policy)
  proxy_send_local_response(statusCode, changetype<usize>(DETAILS), DETAILS.byteLength, body.ptr, body.len, pairs.ptr, pairs.len, -1)
}

function setResponseHeader(name: ArrayBuffer): void {
  proxy_replace_header_map_value(MapType.HttpResponseHeaders, changetype<usize>(name), name.byteLength, value.ptr, value.len)
}

/** Adds the ratelimit-* headers to the response of an admitted request. */
export function addResponseHeaders(limit: u32, remaining: u64, resetSeconds: u64, policy: ArrayBuffer): void {
  value.reset().uint(limit)
  setResponseHeader(LIMIT)
  value.reset().uint(remaining)
  setResponseHeader(REMAINING)
  value.reset().uint(resetSeconds)
  setResponseHeader(RESET)
  value.reset().bytes(policy)
  setResponseHeader(POLICY)
}
