/**
 * @module
 * Media types and annotation keys of the image shapes we publish and pull. Values are the
 * wire strings from the OCI image spec, the solo-io Wasm image spec and the CNCF Wasm layout.
 */

export const MediaType = {
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',

  // solo-io "oci" variant (Istio, Envoy Gateway): the config blob is also layer 0.
  SoloConfig: 'application/vnd.module.wasm.config.v1+json',
  SoloWasmLayer: 'application/vnd.module.wasm.content.layer.v1+wasm',

  // compat variant: an ordinary image whose last layer is a tar.gz holding plugin.wasm.
  OciImageConfig: 'application/vnd.oci.image.config.v1+json',
  OciLayerTarGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  DockerImageConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayerTarGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',

  // CNCF TAG-Runtime Wasm artifact layout.
  CncfConfig: 'application/vnd.wasm.config.v0+json',
  CncfWasmLayer: 'application/wasm',

  // the older wasm-to-oci convention (pull only).
  WasmToOciConfig: 'application/vnd.wasm.config.v1+json',
  WasmToOciLayer: 'application/vnd.wasm.content.layer.v1+wasm',
} as const

/** Sent on every manifest GET/HEAD: distribution 2.8 answers 404 for an OCI manifest without an OCI type here. */
export const MANIFEST_ACCEPT = [MediaType.OciManifest, MediaType.OciIndex, MediaType.DockerManifest, MediaType.DockerManifestList].join(', ')

export const Annotation = {
  Title: 'org.opencontainers.image.title',
  Created: 'org.opencontainers.image.created',
  AbiVersion: 'module.wasm.runtime/abi_version',
  RuntimeType: 'module.wasm.runtime/type',
  Variant: 'module.wasm.image/variant',
  /** Ours: the root ids (plugin names) the module serves, comma-separated. */
  RootIds: 'io.wasmgate.root_ids',
} as const

export type ImageFormat = 'oci' | 'cncf' | 'compat'
/** Every shape the puller recognises, including the ones we only read. */
export type PulledFormat = ImageFormat | 'compat-docker' | 'wasm-to-oci'

export const IMAGE_FORMATS: readonly ImageFormat[] = ['oci', 'cncf', 'compat']
