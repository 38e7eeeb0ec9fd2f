// gRPC callouts: wasmgate either implements them or returns a status every SDK knows (issue 3).
// Statuses the Rust SDK can decode without panicking (reference §1.5): anything else (e.g.
// Unimplemented = 12) makes it abort.
export const SDK_KNOWN_STATUSES = [0, 1, 2, 3, 4, 7, 8, 10]
