export const MetricType = { Counter: 0, Gauge: 1, Histogram: 2 } as const
export const define = (type: number, name: string) => ({ call: 'proxy_define_metric', type, name })
export const inc = (id: number, num: number | string) => ({ call: 'proxy_increment_metric', id, num })
export const rec = (id: number, num: number | string) => ({ call: 'proxy_record_metric', id, num })
export const getm = (id: number) => ({ call: 'proxy_get_metric', id })
/** -n as the u64 bit pattern the filter passes through as an i64. */
export const neg = (n: number) => (2n ** 64n - BigInt(n)).toString()
