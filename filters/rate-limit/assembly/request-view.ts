// What the rules read from a request (path, method, host, client address, headers), fetched with
// the raw hostcalls at most once per request and kept as host-allocated bytes: matching and key
// hashing work on bytes, so the request path makes no strings. end() frees everything.
import { proxy_get_header_map_value, proxy_get_property } from "wasmgate/sdk/assembly/abi/imports"
import { MapType, Status } from "wasmgate/sdk/assembly"
import { fnv1a64, fnvSeparator } from "./key-hash"
import { KeyPart, KeySource, MissingKey, Rule } from "./rule"

const OUT_PTR: usize = memory.data(8, 4)
const OUT_SIZE: usize = OUT_PTR + 4

const PATH = String.UTF8.encode(":path")
const METHOD = String.UTF8.encode(":method")
const AUTHORITY = String.UTF8.encode(":authority")
// Property paths are NUL-separated segments: source.address is "IP:PORT".
const SOURCE_ADDRESS = String.UTF8.encode("source\0address")

const UNREAD: u8 = 0
const PRESENT: u8 = 1
const ABSENT: u8 = 2

/** Bytes the host gave us (freed by RequestView.end), or absent. */
class Field {
  ptr: usize = 0
  size: usize = 0
  state: u8 = UNREAD

  take(status: u32): void {
    if (status == Status.Ok) {
      this.ptr = <usize>load<u32>(OUT_PTR)
      this.size = <usize>load<u32>(OUT_SIZE)
      this.state = PRESENT
    } else {
      this.state = ABSENT
    }
  }

  release(): void {
    if (this.ptr != 0) heap.free(this.ptr) // the SDK's allocator is heap.alloc
    this.ptr = 0
    this.size = 0
    this.state = UNREAD
  }
}

function header(field: Field, name: ArrayBuffer): Field {
  if (field.state == UNREAD) {
    field.take(proxy_get_header_map_value(MapType.HttpRequestHeaders, changetype<usize>(name), name.byteLength, OUT_PTR, OUT_SIZE))
  }
  return field
}

function bytesEqual(a: usize, aSize: usize, b: ArrayBuffer): bool {
  return aSize == <usize>b.byteLength && memory.compare(a, changetype<usize>(b), aSize) == 0
}

export class RequestView {
  readonly path: Field = new Field()
  readonly method: Field = new Field()
  readonly host: Field = new Field()
  readonly client: Field = new Field()
  readonly other: Field = new Field()
  /** Set by keyHash when a key part was missing and the rule says to skip. */
  skip: bool = false

  /** The path without its query string (size 0 when absent). */
  pathSize(): usize {
    const f = header(this.path, PATH)
    if (f.state != PRESENT) return 0
    for (let i: usize = 0; i < f.size; i++) if (load<u8>(f.ptr + i) == 0x3f) return i
    return f.size
  }

  matches(rule: Rule): bool {
    if (rule.methods.length > 0) {
      const m = header(this.method, METHOD)
      let found = false
      for (let i = 0; i < rule.methods.length && !found; i++) found = bytesEqual(m.ptr, m.size, unchecked(rule.methods[i]))
      if (!found) return false
    }
    if (rule.path.byteLength > 0) {
      const size = this.pathSize() // reads the path first: ptr is valid only after it
      if (!bytesEqual(this.path.ptr, size, rule.path)) return false
    }
    if (rule.prefix.byteLength > 0) {
      const size = this.pathSize()
      const n = <usize>rule.prefix.byteLength
      if (size < n || memory.compare(this.path.ptr, changetype<usize>(rule.prefix), n) != 0) return false
    }
    return true
  }

  /** The hash of the rule's key parts for this request; sets `skip` when the rule does not apply. */
  keyHash(rule: Rule): u64 {
    this.skip = false
    let h: u64 = 0
    for (let i = 0; i < rule.key.length; i++) {
      const part = unchecked(rule.key[i])
      let ptr: usize = 0
      let size: usize = 0
      let present = true
      if (part.source == KeySource.ClientAddress) {
        const f = this.clientField()
        present = f.state == PRESENT
        ptr = f.ptr
        size = present ? withoutPort(f.ptr, f.size) : 0
      } else if (part.source == KeySource.Path) {
        size = this.pathSize()
        present = this.path.state == PRESENT
        ptr = this.path.ptr
      } else {
        const f = this.partField(part)
        present = f.state == PRESENT
        ptr = f.ptr
        size = f.size
      }
      if (!present && rule.onMissingKey == MissingKey.Skip) {
        this.other.release()
        this.skip = true
        return 0
      }
      h = fnvSeparator(fnv1a64(ptr, size, h))
      this.other.release()
    }
    return h
  }

  private clientField(): Field {
    const f = this.client
    if (f.state == UNREAD) f.take(proxy_get_property(changetype<usize>(SOURCE_ADDRESS), SOURCE_ADDRESS.byteLength, OUT_PTR, OUT_SIZE))
    return f
  }

  private partField(part: KeyPart): Field {
    if (part.source == KeySource.Method) return header(this.method, METHOD)
    if (part.source == KeySource.Host) return header(this.host, AUTHORITY)
    return header(this.other, part.header)
  }

  /** Frees what the host gave us for this request. */
  end(): void {
    this.path.release()
    this.method.release()
    this.host.release()
    this.client.release()
    this.other.release()
  }
}

// "IP:PORT" -> "IP"; "[v6]:PORT" -> "[v6]". A value with no port is used whole.
function withoutPort(ptr: usize, size: usize): usize {
  for (let i = size; i > 0; i--) {
    const c = load<u8>(ptr + i - 1)
    if (c == 0x3a) return i - 1
    if (c < 0x30 || c > 0x39) return size
  }
  return size
}
