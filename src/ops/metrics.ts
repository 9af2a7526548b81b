import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { Context, Next } from 'koa'
import type { Application } from '../declarations'

/** Prometheus metrics of one app: service calls over REST and Socket.io alike, and the database. */
export const createMetrics = () => {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  return {
    registry,
    requestDuration: new Histogram({
      name: 'api_request_duration_seconds',
      help: 'Service call duration by transport, service, method and status code',
      labelNames: ['transport', 'service', 'method', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry]
    }),
    requestErrors: new Counter({
      name: 'api_request_errors_total',
      help: 'Service calls answered with a 5xx',
      labelNames: ['transport', 'service', 'method'],
      registers: [registry]
    }),
    databaseUp: new Gauge({
      name: 'api_database_up',
      help: '1 when the last database ping succeeded',
      registers: [registry]
    })
  }
}

export type Metrics = ReturnType<typeof createMetrics>

/** `GET /metrics` in the Prometheus text format; the database is pinged for `api_database_up`. */
export const metricsEndpoint = (app: Application) => async (ctx: Context, next: Next) => {
  if (ctx.method !== 'GET' || ctx.path !== '/metrics') return next()
  const metrics = app.get('metrics')
  try {
    await app.get('knex').raw('select 1')
    metrics.databaseUp.set(1)
  } catch {
    metrics.databaseUp.set(0)
  }
  ctx.set('Content-Type', metrics.registry.contentType)
  ctx.body = await metrics.registry.metrics()
}
