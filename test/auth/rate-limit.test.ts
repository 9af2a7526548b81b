import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { TooManyRequests } from '@feathersjs/errors'
import { Redis } from 'ioredis'
import {
  createRateLimiter,
  defaultRateLimits,
  type LimitKind,
  type LimitRule,
  type RateLimiter,
  type RateLimitConfig
} from '../../src/auth/rate-limit'

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
// Nothing listens there: stands for a Redis outage.
const deadRedisUrl = 'redis://127.0.0.1:6390'
// Unique per run, so parallel or repeated runs on a shared Redis never see each other's counts.
const runPrefix = `test:internal-api:rl:${randomUUID()}`

const rules: Record<LimitKind, LimitRule> = {
  loginAccount: { points: 2, durationSeconds: 60 },
  loginAddress: { points: 3, durationSeconds: 60 },
  registration: { points: 2, durationSeconds: 60 },
  refresh: { points: 2, durationSeconds: 60 }
}

const is429 = (error: unknown) => {
  assert.ok(error instanceof TooManyRequests, `expected TooManyRequests, got ${String(error)}`)
  assert.equal(error.code, 429)
  return true
}

const times = async (n: number, fn: () => Promise<void>) => {
  for (let i = 0; i < n; i++) await fn()
}

const stores = [
  { store: 'memory', shared: false, url: undefined },
  { store: 'Redis', shared: true, url: redisUrl }
]

for (const { store, shared, url } of stores) {
  describe(`auth rate limiter (${store} store)`, () => {
    const open: RateLimiter[] = []
    let testPrefix = ''
    // A fresh prefix per test, so each test starts from zero counts.
    const make = (overrides: Partial<RateLimitConfig> = {}) => {
      const limiter = createRateLimiter({ ...rules, redisUrl: url, keyPrefix: testPrefix, ...overrides })
      open.push(limiter)
      return limiter
    }

    // Reads Redis directly, to prove counts really land there rather than in the insurance memory limiter.
    let inspect: Redis | undefined

    before(async () => {
      if (!url) return
      // Required, not skipped: this machine and CI both run Redis.
      inspect = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, retryStrategy: () => null })
      try {
        await inspect.connect()
        assert.equal(await inspect.ping(), 'PONG')
      } catch (error) {
        inspect.disconnect()
        inspect = undefined
        throw new Error(`Redis must be running at ${url} for these tests (${String(error)})`)
      }
    })

    beforeEach(() => {
      testPrefix = `${runPrefix}:${randomUUID()}`
    })

    afterEach(async () => {
      await Promise.all(open.splice(0).map((limiter) => limiter.close()))
      if (inspect) assert.ok((await inspect.keys(`${testPrefix}:*`)).length > 0, 'counts reached Redis')
    })

    after(async () => {
      if (!inspect) return
      const keys = await inspect.keys(`${runPrefix}:*`)
      if (keys.length > 0) await inspect.del(...keys)
      await inspect.quit()
    })

    it('enforces points per key and per kind independently', async () => {
      const limiter = make()
      await times(2, () => limiter.consume('loginAccount', 'ann@example.com'))
      await assert.rejects(limiter.consume('loginAccount', 'ann@example.com'), is429)
      await assert.rejects(limiter.assertAllowed('loginAccount', 'ann@example.com'), is429)

      // Another account, and the same string under another kind, still have all their points.
      await limiter.assertAllowed('loginAccount', 'bob@example.com')
      await times(2, () => limiter.consume('loginAccount', 'bob@example.com'))
      await times(3, () => limiter.consume('loginAddress', 'ann@example.com'))
      await assert.rejects(limiter.consume('loginAddress', 'ann@example.com'), is429)
      await limiter.assertAllowed('registration', 'ann@example.com')
    })

    it('assertAllowed consumes nothing, and refuses once the last point is used', async () => {
      const limiter = make()
      await times(10, () => limiter.assertAllowed('refresh', '10.0.0.1'))
      await limiter.consume('refresh', '10.0.0.1')
      await limiter.assertAllowed('refresh', '10.0.0.1')
      await limiter.consume('refresh', '10.0.0.1')
      await assert.rejects(limiter.assertAllowed('refresh', '10.0.0.1'), is429)
    })

    it('reset forgets the count of that key and kind only', async () => {
      const limiter = make()
      await times(2, () => limiter.consume('loginAccount', 'ann@example.com'))
      await times(2, () => limiter.consume('registration', 'ann@example.com'))
      await limiter.reset('loginAccount', 'ann@example.com')
      await limiter.assertAllowed('loginAccount', 'ann@example.com')
      await times(2, () => limiter.consume('loginAccount', 'ann@example.com'))
      await assert.rejects(limiter.assertAllowed('registration', 'ann@example.com'), is429)
      await limiter.reset('refresh', 'never-seen') // resetting an unknown key is harmless
    })

    it('throws a 429 TooManyRequests with whole-second retryAfter and no email in the message', async () => {
      const limiter = make()
      await times(2, () => limiter.consume('loginAccount', 'secret.person@example.com'))
      const error = await limiter.consume('loginAccount', 'secret.person@example.com').catch((e) => e)
      is429(error)
      assert.equal(error.name, 'TooManyRequests')
      const { retryAfter } = error.data
      assert.ok(
        Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60,
        `retryAfter ${retryAfter}`
      )
      assert.equal(error.message, `Too many failed login attempts for this account; retry in ${retryAfter} s`)
      assert.doesNotMatch(JSON.stringify(error.toJSON()), /secret\.person/)

      const refused = await limiter.assertAllowed('loginAccount', 'secret.person@example.com').catch((e) => e)
      is429(refused)
      assert.ok(refused.data.retryAfter >= 1 && refused.data.retryAfter <= 60)

      await times(2, () => limiter.consume('registration', '10.0.0.2'))
      const registration = await limiter.assertAllowed('registration', '10.0.0.2').catch((e) => e)
      assert.match(registration.message, /^Too many registrations from this address; retry in \d+ s$/)
    })

    it('counts account emails case- and whitespace-insensitively, addresses as given', async () => {
      const limiter = make()
      await limiter.consume('loginAccount', 'Alice@X.com')
      await limiter.consume('loginAccount', ' alice@x.com ')
      await assert.rejects(limiter.assertAllowed('loginAccount', 'ALICE@x.COM'), is429)

      await times(3, () => limiter.consume('loginAddress', 'fe80::A'))
      await limiter.assertAllowed('loginAddress', 'fe80::a')
    })

    it('allows the key again once the window has passed', async () => {
      const limiter = make({ refresh: { points: 1, durationSeconds: 1 } })
      await limiter.consume('refresh', '10.0.0.3')
      const error = await limiter.assertAllowed('refresh', '10.0.0.3').catch((e) => e)
      assert.equal(error.data.retryAfter, 1)
      await sleep(1100)
      await limiter.assertAllowed('refresh', '10.0.0.3')
      await limiter.consume('refresh', '10.0.0.3')
    })

    it('keeps a key blocked for blockSeconds from the moment its last point is used', async () => {
      const limiter = make({
        loginAccount: { points: 2, durationSeconds: 1, blockSeconds: 3 },
        loginAddress: { points: 1, durationSeconds: 60, blockSeconds: 1 }
      })
      await times(2, () => limiter.consume('loginAccount', 'ann@example.com'))
      const error = await limiter.assertAllowed('loginAccount', 'ann@example.com').catch((e) => e)
      assert.equal(error.data.retryAfter, 3)
      await sleep(1200) // past the 1 s window, still within the block
      await assert.rejects(limiter.assertAllowed('loginAccount', 'ann@example.com'), is429)

      // A block shorter than what is left of the window never shortens the lock-out.
      await limiter.consume('loginAddress', '10.0.0.4')
      const longer = await limiter.assertAllowed('loginAddress', '10.0.0.4').catch((e) => e)
      assert.ok(longer.data.retryAfter > 50, `retryAfter ${longer.data.retryAfter}`)
    })

    it(`${shared ? 'shares' : 'does not share'} counts between two instances`, async () => {
      const first = make()
      const second = make()
      await times(2, () => first.consume('loginAccount', 'Ann@example.com'))
      if (shared) {
        assert.equal(await inspect?.get(`${testPrefix}:loginAccount:ann@example.com`), '2')
        await assert.rejects(second.assertAllowed('loginAccount', 'ann@example.com'), is429)
        await second.reset('loginAccount', 'ann@example.com')
        await first.consume('loginAccount', 'ann@example.com') // would be the third attempt without the reset
      } else {
        await second.assertAllowed('loginAccount', 'ann@example.com')
      }
    })
  })
}

describe('auth rate limiter with Redis unreachable', () => {
  it('keeps limiting from memory (insurance limiter) instead of failing', async () => {
    const errors: Error[] = []
    const limiter = createRateLimiter(
      { ...rules, redisUrl: deadRedisUrl, keyPrefix: runPrefix },
      { onRedisError: (error) => errors.push(error) }
    )
    try {
      await limiter.assertAllowed('loginAccount', 'ann@example.com')
      await times(2, () => limiter.consume('loginAccount', 'Ann@example.com'))
      await assert.rejects(limiter.consume('loginAccount', 'ann@example.com'), is429)
      await assert.rejects(limiter.assertAllowed('loginAccount', 'ann@example.com'), is429)
      await limiter.reset('loginAccount', 'ann@example.com')
      await limiter.assertAllowed('loginAccount', 'ann@example.com')
      assert.ok(errors.length > 0, 'the connection error reaches onRedisError')
    } finally {
      await limiter.close()
    }
  })
})

describe('auth rate limiter defaults', () => {
  it('limits every kind with whole, positive numbers', () => {
    for (const rule of Object.values(defaultRateLimits)) {
      assert.ok(Number.isInteger(rule.points) && rule.points > 0)
      assert.ok(Number.isInteger(rule.durationSeconds) && rule.durationSeconds > 0)
    }
    assert.deepEqual(defaultRateLimits.loginAccount, { points: 5, durationSeconds: 900, blockSeconds: 900 })
  })
})
