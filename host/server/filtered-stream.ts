/**
 * @module
 * A proxied request whose route has a filter chain.
 */
import { ProxyStream } from './stream.ts'

export class FilteredStream extends ProxyStream {}
