// FNV-1a, 64 bits: bucket keys are the hash of the key parts, so a long client-controlled header
// value costs 16 hex digits of shared data, not its own length. At 64 bits a collision between
// two live keys is vanishingly rare (about 1 in 10^7 for a million keys) and only merges buckets.

const FNV_OFFSET: u64 = 0xcbf29ce484222325
const FNV_PRIME: u64 = 0x100000001b3

/** Continues hash `h` (0 to start) over `size` bytes at `ptr`. */
export function fnv1a64(ptr: usize, size: usize, h: u64): u64 {
  if (h == 0) h = FNV_OFFSET
  for (let i: usize = 0; i < size; i++) h = (h ^ <u64>load<u8>(ptr + i)) * FNV_PRIME
  return h
}

/** Mixes a separator between key parts (0xff never occurs in UTF-8), so ("ab","c") != ("a","bc"). */
export function fnvSeparator(h: u64): u64 {
  if (h == 0) h = FNV_OFFSET
  return (h ^ 0xff) * FNV_PRIME
}
