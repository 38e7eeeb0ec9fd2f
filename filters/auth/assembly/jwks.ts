// A JWK Set document (RFC 7517 section 5) into verification keys. Keys this filter cannot use
// (encryption keys, other curves or algorithms) are skipped, as RFC 7517 section 5 asks.
import { JsonKind, log, parseJson } from "wasmgate/sdk/assembly"
import { VerifyKey, keyError, parseKey } from "./keys"

export let jwksError: string = ""

/** The usable keys of a JWKS; null (with `jwksError`) when the document is invalid or has none. */
export function parseJwks(text: string): VerifyKey[] | null {
  const doc = parseJson(text)
  if (doc == null || doc.kind != JsonKind.Object) {
    jwksError = "not a JSON object"
    return null
  }
  const keys = doc.field("keys")
  if (keys == null || keys.kind != JsonKind.Array) {
    jwksError = "no \"keys\" array"
    return null
  }
  const out = new Array<VerifyKey>()
  for (let i = 0; i < keys.items.length; i++) {
    const jwk = keys.items[i]
    if (jwk.kind != JsonKind.Object) continue
    const use = jwk.field("use")
    if (use != null && (use.kind != JsonKind.String || use.str != "sig")) continue
    // Only JWKs here: the inline shorthands ("pem", "secret") are for the configuration.
    if (jwk.field("kty") == null) continue
    const key = parseKey(jwk)
    if (key == null) log.debug("auth: skipping JWKS key " + i.toString() + ": " + keyError)
    else out.push(key)
  }
  if (out.length == 0) {
    jwksError = "no usable signing key"
    return null
  }
  return out
}
