import http from 'node:http'
import { timingSafeEqual } from 'node:crypto'
import type { Context, Next } from 'koa'
import type { Application } from '../declarations'
import { redisHealth } from './redis-status'

/** Where and to whom `/metrics` answers (`metricsEndpoint` settings, src/configuration.ts). */
export interface MetricsAccess {
  /** When set, scrapes send `Authorization: Bearer <token>`. */
  token: string
  /** When set, `/metrics` is served on this port only (`host`: its interface, else the server's). */
  port: number
  host: string
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/

const DEVELOPMENT = [undefined, '', 'development', 'test']

/** Outside development, `/metrics` is never left open: a token or a separate listener must say who scrapes. */
export const metricsProtectionProblem = (env: string | undefined, access?: MetricsAccess) => {
  if (DEVELOPMENT.includes(env) || access?.token || access?.port) return undefined
  return (
    `NODE_ENV=${env} needs METRICS_TOKEN (scrapes send it as a bearer token) or METRICS_PORT (a separate ` +
    'listener for /metrics): /metrics is not served to the world'
  )
}

export const assertMetricsProtected = (env: string | undefined, access: MetricsAccess) => {
  const problem = metricsProtectionProblem(env, access)
  if (problem) throw new Error(problem)
}

/**
 * Whether a scrape may read the metrics: with a token, the request must carry it (compared in constant time);
 * without one (development only, see assertMetricsProtected), only this machine's clients may, unless this is
 * the separate metrics listener, whose port is the boundary.
 */
const refusal = (
  access: MetricsAccess,
  authorization: string,
  peer: string | undefined,
  listener: boolean
) => {
  if (access.token) {
    const sent = Buffer.from(/^Bearer +(\S+) *$/i.exec(authorization)?.[1] ?? '')
    const expected = Buffer.from(access.token)
    const same = sent.length === expected.length && timingSafeEqual(sent, expected)
    return same
      ? undefined
      : { status: 401, message: 'Send the metrics token: Authorization: Bearer <METRICS_TOKEN>' }
  }
  if (listener || LOOPBACK.test(peer ?? '')) return undefined
  return {
    status: 403,
    message: 'Metrics are served to this machine only: set METRICS_TOKEN or METRICS_PORT'
  }
}

/** The Prometheus text; the database is pinged for `api_database_up`. */
const metricsText = async (app: Application) => {
  const metrics = app.get('metrics')
  try {
    await app.get('knex').raw('select 1')
    metrics.databaseUp.set(1)
  } catch {
    metrics.databaseUp.set(0)
  }
  redisHealth(app) // sets the api_redis_up gauges
  const pool = (app.get('knex').client as any).pool
  if (pool) {
    metrics.databasePool.set({ state: 'used' }, pool.numUsed())
    metrics.databasePool.set({ state: 'free' }, pool.numFree())
    metrics.databasePool.set({ state: 'pending' }, pool.numPendingAcquires())
  }
  return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }
}

/** `GET /metrics` on the API's port, unless a separate metrics port is configured (then it is a 404 here). */
export const metricsEndpoint = (app: Application) => async (ctx: Context, next: Next) => {
  if (ctx.method !== 'GET' || ctx.path !== '/metrics') return next()
  const access: MetricsAccess = app.get('metricsEndpoint')
  if (access.port) return next()
  const refused = refusal(access, ctx.get('authorization'), ctx.socket.remoteAddress, false)
  if (refused) {
    if (refused.status === 401) ctx.set('WWW-Authenticate', 'Bearer realm="metrics"')
    ctx.status = refused.status
    ctx.body = {
      name: refused.status === 401 ? 'NotAuthenticated' : 'Forbidden',
      message: refused.message,
      code: refused.status
    }
    return
  }
  const { contentType, body } = await metricsText(app)
  ctx.set('Content-Type', contentType)
  ctx.body = body
}

/** The separate metrics listener (`METRICS_PORT`), when configured: `GET /metrics` and nothing else. */
export const listenMetrics = async (app: Application) => {
  const access: MetricsAccess = app.get('metricsEndpoint')
  if (!access.port) return undefined
  const server = http.createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://metrics').pathname
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) =>
      response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers }).end(body)
    if (request.method !== 'GET' || path !== '/metrics') return send(404, 'text/plain', 'Not found\n')
    const refused = refusal(access, request.headers.authorization ?? '', request.socket.remoteAddress, true)
    if (refused)
      return send(refused.status, 'text/plain', `${refused.message}\n`, {
        'WWW-Authenticate': 'Bearer realm="metrics"'
      })
    try {
      const { contentType, body } = await metricsText(app)
      send(200, contentType, body)
    } catch (error) {
      app.get('logger').error({ err: error }, 'metrics failed')
      send(500, 'text/plain', 'Metrics failed\n')
    }
  })
  // Bounded like the API's listener (src/transports/http-server.ts), with room for a few scrapers only.
  const limits = app.get('server')
  server.headersTimeout = Math.min(limits.headersTimeout, limits.requestTimeout)
  server.requestTimeout = limits.requestTimeout
  server.keepAliveTimeout = limits.keepAliveTimeout
  server.maxConnections = 64
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(access.port, access.host || app.get('host'), () => resolve())
  })
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}
