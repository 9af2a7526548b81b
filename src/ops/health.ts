import type { Context, Next } from 'koa'
import type { Application } from '../declarations'
import { redisHealth } from './redis-status'

/** `/health/live`: the process answers. `/health/ready`: and its database does too (503 when not). */
export const health = (app: Application) => async (ctx: Context, next: Next) => {
  if (ctx.method !== 'GET' || !ctx.path.startsWith('/health/')) return next()
  if (ctx.path === '/health/live') {
    ctx.body = { status: 'ok' }
    return
  }
  if (ctx.path === '/health/ready') {
    try {
      await app.get('knex').raw('select 1')
      // Redis down is reported (`redis: 'degraded'`) but never makes the instance unready (docs/operations.md).
      ctx.body = { status: 'ok', database: app.get('databaseKind'), ...redisHealth(app) }
    } catch (error: any) {
      // No restart needed: the next probe pings again and answers 200 once the database is back.
      ctx.status = 503
      ctx.body = {
        status: 'unavailable',
        database: app.get('databaseKind'),
        ...redisHealth(app),
        reason: `database not reachable (${error?.code ?? 'error'})`
      }
    }
    return
  }
  return next()
}
