// @fastify/http-proxy with its defaults (undici underneath, via @fastify/reply-from).
import Fastify from 'fastify'
import proxy from '@fastify/http-proxy'
import { announce, upstreamFromEnv } from './hop-by-hop.mjs'

const app = Fastify({ logger: false, keepAliveTimeout: 60_000 })
await app.register(proxy, { upstream: upstreamFromEnv() })
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' })
announce(app.server)
process.on('SIGTERM', () => app.close().then(() => process.exit(0)))
