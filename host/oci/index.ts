/**
 * @module
 * OCI registries: publish and pull proxy-wasm filters in the image shapes Istio, Envoy and the
 * CNCF layout use. The rest of wasmgate imports from here only.
 */
/**
 * pullWasmModule(ref, options) is what filter sources `oci://REF` use (host/vm/module-source.ts):
 *
 * - `ref`: `oci://registry/repo:tag` or `…@sha256:<hex>` (the `oci://` prefix is optional).
 * - `options.pullPolicy`: `IfNotPresent` (default; a cached tag is used as is) or `Always`
 *   (one manifest HEAD; the module is downloaded again only when the tag moved).
 * - `options.sha256`: the filter config's sha256: the module's sha256 or the manifest digest.
 * - `options.cacheDir`: defaults to WASMGATE_CACHE_DIR or ~/.cache/wasmgate/oci.
 * - Credentials come from docker's config.json, WASMGATE_REGISTRY_USERNAME/PASSWORD, or
 *   `options.credentials`; `options.insecure` / `options.caPem` control TLS.
 *
 * It resolves to the verified module bytes, their sha256, the manifest digest (compare it with
 * `resolveManifestDigest(ref)` to notice a moved tag), and the image's root ids and ABI
 * versions. Failures are WasmgateErrors with WG_ERR_OCI_* codes (or WG_ERR_WASM_* for bad bytes).
 */
export { pullWasmModule, resolveManifestDigest, type PullOptions, type PulledModule, type PullPolicy } from './pull.ts'
export { pushWasmModule, type PushOptions, type PushResult } from './push.ts'
export { RegistryClient, type RegistryClientOptions } from './client.ts'
export { createCredentialSource, storeCredential, dockerConfigPath, type Credential, type CredentialSource } from './credentials.ts'
export { parseReference, formatReference, isLoopbackHost, type ImageReference } from './reference.ts'
export { buildImage, type BuildOptions, type BuiltImage } from './artifact.ts'
export { describeWasmModule, type WasmModuleInfo } from './wasm-info.ts'
export { defaultCacheDir } from './cache.ts'
export { MediaType, Annotation, IMAGE_FORMATS, type ImageFormat, type PulledFormat } from './media-types.ts'

/** The type of pullWasmModule, for code that takes it as a dependency. */
export type PullWasmModule = typeof import('./pull.ts').pullWasmModule
