// Configurations of the rate-limit filter shared by its tests: each bad one with the line the
// filter logs for it (the filter test) and that the JSON Schema must refuse too (the schema test).
const perHour = (requests: number) => ({ requests, per: 'hour' })

export const BAD_CONFIGS: Array<[string, unknown, string]> = [
  ['rules missing', {}, 'invalid configuration: rules: is required: expected an array'],
  ['empty rules', { rules: [] }, 'invalid configuration: rules: must hold 1 to 64 rules (got an array)'],
  ['unknown top-level field', { rules: [{ limits: [perHour(1)] }], rule: 1 }, 'invalid configuration: rule: unknown field; expected one of domain, mode, responseHeaders, statusCode, rules (got 1)'],
  ['bad period word', { rules: [{ limits: [{ requests: 1, per: 'week' }] }] }, 'invalid configuration: rules[0].limits[0].per: expected one of second, minute, hour, day (got "week")'],
  ['both per and periodSeconds', { rules: [{ limits: [{ requests: 1, per: 'hour', periodSeconds: 5 }] }] }, 'invalid configuration: rules[0].limits[0].periodSeconds: give exactly one of per and periodSeconds (got 5)'],
  ['zero requests', { rules: [{ limits: [{ requests: 0, per: 'hour' }] }] }, 'invalid configuration: rules[0].limits[0].requests: must be between 1 and 1000000000 (got 0)'],
  ['fractional requests', { rules: [{ limits: [{ requests: 1.5, per: 'hour' }] }] }, 'invalid configuration: rules[0].limits[0].requests: expected an integer (got a number)'],
  ['bad key part', { rules: [{ key: ['client_address', 'cookie'], limits: [perHour(1)] }] }, 'invalid configuration: rules[0].key[1]: expected client_address, path, method, host or header:NAME (got "cookie")'],
  ['bad rule name', { rules: [{ name: 'a b', limits: [perHour(1)] }] }, 'invalid configuration: rules[0].name: must be 1-64 characters of A-Z a-z 0-9 _ - (got "a b")'],
  ['duplicate rule name', { rules: [{ name: 'a', limits: [perHour(1)] }, { name: 'a', limits: [perHour(1)] }] }, 'invalid configuration: rules[1].name: duplicate rule name (got "a")'],
  ['bad mode', { mode: 'shadow', rules: [{ limits: [perHour(1)] }] }, 'invalid configuration: mode: expected enforce or dry_run (got "shadow")'],
  ['bad status', { statusCode: 200, rules: [{ limits: [perHour(1)] }] }, 'invalid configuration: statusCode: must be between 400 and 599 (got 200)'],
  ['prefix without slash', { rules: [{ match: { prefix: 'api' }, limits: [perHour(1)] }] }, 'invalid configuration: rules[0].match.prefix: must start with / (got "api")'],
  ['burst too large for the rate', { rules: [{ limits: [{ requests: 1, per: 'day', burst: 100000 }] }] }, 'invalid configuration: rules[0].limits[0].burst: too large for this rate: the bucket would take more than 100 years to fill (got 100000)'],
  ['unknown limit field', { rules: [{ limits: [{ requests: 1, per: 'hour', window: 3 }] }] }, 'invalid configuration: rules[0].limits[0].window: unknown field; expected one of requests, per, periodSeconds, burst (got 3)'],
]

