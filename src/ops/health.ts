import type { Context, Next } from 'koa'
import type { Application } from '../declarations'
import { redisHealth } from './redis-status'
import { storageFullSince } from '../database/faults'

/** A probe answers promptly even when the database is frozen or the pool is full of stuck queries. */
export const READY_TIMEOUT_MS = 2000

/** Why the database cannot serve requests now, or undefined when it can. */
const databaseTrouble = async (app: Application): Promise<string | undefined> => {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(
      () => resolve(`database not answering within ${READY_TIMEOUT_MS} ms`),
      READY_TIMEOUT_MS
    )
  })
  const ping = app
    .get('knex')
    .raw('select 1')
    .then(
      () => undefined,
      (error: any) => `database not reachable (${error?.code ?? error?.name ?? 'error'})`
    )
  const reason = await Promise.race([ping, timeout]).finally(() => clearTimeout(timer))
  if (reason) return reason
  const full = storageFullSince(app)
  if (full)
    return `database storage full: a write was refused at ${new Date(full).toISOString()} for want of space`
  return undefined
}

const natsHealth = (app: Application): { nats?: 'ok' | 'degraded' } => {
  const bus = app.get('outboxRelay')?.bus
  return bus?.kind === 'nats' ? { nats: bus.up() ? 'ok' : 'degraded' } : {}
}

/** `/health/live`: the process answers. `/health/ready`: and its database does too (503 when not). */
export const health = (app: Application) => async (ctx: Context, next: Next) => {
  if (ctx.method !== 'GET' || !ctx.path.startsWith('/health/')) return next()
  if (ctx.path === '/health/live') {
    ctx.body = { status: 'ok' }
    return
  }
  if (ctx.path === '/health/ready') {
    const reason = await databaseTrouble(app)
    ctx.body = {
      status: reason ? 'unavailable' : 'ok',
      database: app.get('databaseKind'),
      // Redis down is reported (`redis: 'degraded'`) but never makes the instance unready (docs/operations.md).
      ...redisHealth(app),
      // Likewise NATS (NATS_URL, where this process runs the relay): events wait in the outbox meanwhile.
      ...natsHealth(app),
      ...(reason && { reason })
    }
    // No restart needed: the next probe pings again and answers 200 once the database is back.
    if (reason) ctx.status = 503
    return
  }
  return next()
}
