// Request metrics by route, defined the first time a route is seen (ids kept, so a request
// costs a few hostcalls and no lookups by name). Tags ride in the names the way Istio's stats
// do (`name;.;route=.=users;.;class=.=2xx;.;`): wasmgate turns them into Prometheus labels, Envoy
// extracts them with stats_tags regexes.
import { Counter, Histogram } from "wasmgate/sdk/assembly"
import { RequestFacts } from "./request-facts"

const CLASSES: string[] = ["none", "1xx", "2xx", "3xx", "4xx", "5xx"]
const OTHER_ROUTE = "other"

class RouteEntry {
  requests: Counter[] = []
  duration: Histogram
  requestBytes: Histogram
  responseBytes: Histogram

  constructor(public name: string, prefix: string) {
    const tag = ";.;route=.=" + name + ";.;"
    this.duration = new Histogram(prefix + "_request_duration_ms" + tag)
    this.requestBytes = new Histogram(prefix + "_request_bytes" + tag)
    this.responseBytes = new Histogram(prefix + "_response_bytes" + tag)
    for (let i = 0; i < CLASSES.length; i++) this.requests.push(new Counter(prefix + "_requests_total" + tag + "class=.=" + CLASSES[i] + ";.;"))
  }
}

export class RouteMetrics {
  private routes: RouteEntry[] = []
  private other: RouteEntry | null = null

  constructor(public prefix: string, public maxRoutes: i32) {}

  record(facts: RequestFacts): void {
    const route = this.entry(facts.route())
    const status = facts.status
    const cls = status >= 100 && status < 600 ? <i32>(status / 100) : 0
    unchecked(route.requests[cls]).increment()
    // Whole milliseconds, rounded up, so a fast request is 1 ms, not 0.
    route.duration.record((facts.durationNs() + 999999) / 1000000)
    route.requestBytes.record(facts.requestBytes())
    route.responseBytes.record(facts.responseBytes())
  }

  private entry(name: string): RouteEntry {
    const routes = this.routes
    for (let i = 0, n = routes.length; i < n; i++) {
      const r = unchecked(routes[i])
      if (r.name == name) return r
    }
    // A bounded number of label values: past maxRoutes, everything counts as "other".
    if (routes.length >= this.maxRoutes) {
      if (this.other == null) this.other = new RouteEntry(OTHER_ROUTE, this.prefix)
      return this.other!
    }
    const r = new RouteEntry(sanitize(name), this.prefix)
    r.name = name
    routes.push(r)
    return r
  }
}

// Keeps the tag syntax intact whatever the route is called.
function sanitize(name: string): string {
  if (name.length == 0) return "unknown"
  let out = ""
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f || c == 0x2d || c == 0x2e || c == 0x2f
    out += ok ? String.fromCharCode(c) : "_"
  }
  return out
}
