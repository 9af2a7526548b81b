import type { Application } from '../declarations'
import { redisConnected } from './sync'

/**
 * Redis as readiness reports it: nothing without `REDIS_URL`; else `ok`, or `degraded` while any of its
 * connections (events and table changes, rate limits) is down. Degraded still serves: events stay on their
 * instance, rate limits count per instance, page totals may be stale for `totals.cacheSeconds`. Also sets
 * the `api_redis_up` gauges.
 */
export const redisHealth = (app: Application): { redis?: 'ok' | 'degraded' } => {
  const sync = redisConnected(app)
  const limits = app.get('rateLimiter').redisUp()
  if (limits !== undefined) app.get('metrics').redisUp.set({ client: 'rate-limits' }, limits ? 1 : 0)
  if (sync === undefined && limits === undefined) return {}
  return { redis: sync !== false && limits !== false ? 'ok' : 'degraded' }
}
