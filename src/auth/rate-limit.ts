import { TooManyRequests } from '@feathersjs/errors'
import { Redis } from 'ioredis'
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible'
import type { RateLimiterAbstract } from 'rate-limiter-flexible'
import { closeClient, heartbeat } from '../ops/redis-link'

export type LimitKind = 'loginAccount' | 'loginAddress' | 'registration' | 'refresh'

export interface LimitRule {
  points: number
  durationSeconds: number
  /** Once the points are used up, the key stays locked this long from then on (never less than the window). */
  blockSeconds?: number
}

export type RateLimitConfig = Record<LimitKind, LimitRule> & { redisUrl?: string; keyPrefix?: string }

export const defaultRateLimits: Record<LimitKind, LimitRule> = {
  loginAccount: { points: 5, durationSeconds: 15 * 60, blockSeconds: 15 * 60 },
  loginAddress: { points: 20, durationSeconds: 15 * 60, blockSeconds: 15 * 60 },
  registration: { points: 10, durationSeconds: 60 * 60 },
  refresh: { points: 30, durationSeconds: 15 * 60 }
}

export interface RateLimiter {
  /** Throws TooManyRequests (from @feathersjs/errors, code 429) when `key` has no points left for `kind`; consumes nothing. */
  assertAllowed(kind: LimitKind, key: string): Promise<void>
  /** Counts one attempt (e.g. a failed login, or any registration); throws TooManyRequests when this one goes over. */
  consume(kind: LimitKind, key: string): Promise<void>
  /** Forgets the key's count (e.g. after a successful login for the account). */
  reset(kind: LimitKind, key: string): Promise<void>
  /** Whether the shared store is connected now (`undefined` without Redis: memory only). */
  redisUp(): boolean | undefined
  /** Closes the Redis connection, if any. */
  close(): Promise<void>
}

export interface RateLimiterOptions {
  /** Redis connection errors (the limiter keeps working from memory meanwhile); ignored when not given. */
  onRedisError?: (error: Error) => void
}

/** Every limiter; a declaration names one under `rateLimit:` (src/engine/domain.ts `rateLimiters`). */
export const LIMIT_KINDS = Object.keys(defaultRateLimits) as LimitKind[]
const kinds = LIMIT_KINDS

// Says what is limited without echoing the key: it may be an email address.
const subjects: Record<LimitKind, string> = {
  loginAccount: 'failed login attempts for this account',
  loginAddress: 'failed login attempts from this address',
  registration: 'registrations from this address',
  refresh: 'token refreshes from this address'
}

const tooMany = (kind: LimitKind, msBeforeNext: number) => {
  const retryAfter = Math.max(1, Math.ceil(msBeforeNext / 1000))
  return new TooManyRequests(`Too many ${subjects[kind]}; retry in ${retryAfter} s`, { retryAfter })
}

// "Alice@X.com " and "alice@x.com" are the same account; addresses are used as given.
const normalize = (kind: LimitKind, key: string) => (kind === 'loginAccount' ? key.trim().toLowerCase() : key)

export const createRateLimiter = (config: RateLimitConfig, options: RateLimiterOptions = {}): RateLimiter => {
  const prefix = config.keyPrefix ?? 'internal-api:rl'
  // Without offline queue a command fails at once while Redis is down, so the insurance limiter answers
  // instead of requests piling up; the timeout does the same for a Redis that accepts but never replies.
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { enableOfflineQueue: false, commandTimeout: 1000 })
    : undefined
  // ioredis prints unhandled 'error' events to stderr and retries on its own.
  redis?.on('error', (error: Error) => options.onRedisError?.(error))
  // A frozen Redis would cost every limited request the command timeout: detected, it fails fast instead.
  const beat = redis && heartbeat(redis)
  // Until the first connection attempt settles every command would fail and count in memory only; waiting
  // for it (a second at most) keeps the first requests after a start in the shared store.
  const connecting = new Promise<void>((resolve) => {
    if (!redis) return resolve()
    redis.once('ready', () => resolve()).once('error', () => resolve())
    setTimeout(resolve, 1000).unref()
  })

  const limiters = {} as Record<LimitKind, RateLimiterAbstract>
  for (const kind of kinds) {
    const { points, durationSeconds: duration } = config[kind]
    const opts = { points, duration, keyPrefix: `${prefix}:${kind}` }
    const memory = new RateLimiterMemory(opts)
    // A Redis outage falls back to per-instance memory counting rather than turning logins into 500s.
    limiters[kind] = redis
      ? new RateLimiterRedis({ ...opts, storeClient: redis, insuranceLimiter: memory })
      : memory
  }
  const limiter = async (kind: LimitKind) => {
    await connecting
    return limiters[kind]
  }

  return {
    async assertAllowed(kind, key) {
      const res = await (await limiter(kind)).get(normalize(kind, key))
      if (res && res.remainingPoints <= 0) throw tooMany(kind, res.msBeforeNext)
    },

    async consume(kind, key) {
      const id = normalize(kind, key)
      const rl = await limiter(kind)
      let res: RateLimiterRes
      try {
        res = await rl.consume(id)
      } catch (error) {
        // The library rejects with a RateLimiterRes when over the limit, with an Error when the store failed.
        if (error instanceof RateLimiterRes) throw tooMany(kind, error.msBeforeNext)
        throw error
      }
      // The library's own blockDuration only starts on the attempt *after* the last point, which
      // assertAllowed already turns away, so the lock starts when the last point is used.
      const blockSeconds = config[kind].blockSeconds ?? 0
      if (res.remainingPoints === 0 && blockSeconds * 1000 > res.msBeforeNext) {
        await rl.block(id, blockSeconds)
      }
    },

    async reset(kind, key) {
      await (await limiter(kind)).delete(normalize(kind, key))
    },

    redisUp: () => (redis ? redis.status === 'ready' : undefined),

    async close() {
      if (!redis) return
      clearInterval(beat)
      // quit() for pending replies, but never waiting on a Redis that does not answer (src/ops/redis-link.ts).
      await closeClient(redis)
    }
  }
}
