import assert from 'node:assert/strict'
import { IdentityCache } from '../../src/auth/identity-cache'
import { api, testServer, userWithRoles } from '../helpers/server'

const identity = (userId: number, roles = ['customer']) => ({
  user: { id: userId, roles },
  sessionExpiresAt: Date.now() + 60_000,
  lastSeenAt: Date.now()
})

describe('identity cache: no query per authenticated request, revocation still at once', () => {
  describe('IdentityCache', () => {
    it('answers for the session and user it stored, until its time is up', () => {
      const cache = new IdentityCache(1000)
      cache.set(7, identity(3), cache.begin())
      assert.equal(cache.get(7, 3)?.user.id, 3)
      assert.equal(cache.get(7, 4), undefined, 'another user id in the token')
      assert.equal(cache.get(8, 3), undefined)
      assert.equal(cache.get(7, 3, Date.now() + 1000), undefined, 'expired entries are dropped')
      assert.equal(cache.size, 0)
    })

    it('never answers for a session past its expiry', () => {
      const cache = new IdentityCache(10_000)
      cache.set(1, { ...identity(1), sessionExpiresAt: Date.now() + 5 }, cache.begin())
      assert.equal(cache.get(1, 1, Date.now() + 10), undefined)
    })

    it('does not store a lookup that raced a revocation or a user change', () => {
      const cache = new IdentityCache(10_000)
      const before = cache.begin()
      cache.forgetSession(99) // committed while the lookup ran
      cache.set(1, identity(1), before)
      assert.equal(cache.get(1, 1), undefined)
      const again = cache.begin()
      cache.forgetUser(42)
      cache.set(1, identity(1), again)
      assert.equal(cache.get(1, 1), undefined)
    })

    it('forgets every session of a changed user and only those', () => {
      const cache = new IdentityCache(10_000)
      cache.set(1, identity(5), cache.begin())
      cache.set(2, identity(5), cache.begin())
      cache.set(3, identity(6), cache.begin())
      cache.forgetUser(5)
      assert.deepEqual([cache.get(1, 5), cache.get(2, 5)], [undefined, undefined])
      assert.equal(cache.get(3, 6)?.user.id, 6)
    })

    it('hands out a frozen user, so no request can change what the next one sees', () => {
      const cache = new IdentityCache(10_000)
      cache.set(1, identity(1), cache.begin())
      const { user } = cache.get(1, 1)!
      assert.throws(() => ((user as any).roles = ['admin']))
      assert.throws(() => (user.roles as string[]).push('admin'))
    })

    it('stores nothing when turned off (cacheSeconds 0)', () => {
      const cache = new IdentityCache(0)
      cache.set(1, identity(1), cache.begin())
      assert.equal(cache.get(1, 1), undefined)
    })
  })

  describe('on the server', () => {
    /** The SQL the server runs while `run` runs. */
    const queriesDuring = async (run: () => Promise<unknown>) => {
      const { app } = await testServer()
      const seen: string[] = []
      const listener = (query: { sql: string }) => seen.push(query.sql)
      app.get('knex').on('query', listener)
      try {
        await run()
      } finally {
        app.get('knex').off('query', listener)
      }
      return seen
    }

    it('authenticates a repeated token without reading the session again', async () => {
      const user = await userWithRoles(['customer'])
      assert.equal((await api('GET', '/users/me', { token: user.token })).status, 200)
      const queries = await queriesDuring(() => api('GET', '/users/me', { token: user.token }))
      assert.equal(queries.filter((sql) => /from "sessions"/.test(sql)).length, 0, queries.join('\n'))
    })

    it('refuses a cached token at once when its session is revoked', async () => {
      const [user, admin] = await Promise.all([userWithRoles(['customer']), userWithRoles(['admin'])])
      assert.equal((await api('GET', '/users/me', { token: user.token })).status, 200)
      const sessions = await api('GET', `/sessions?userId=${user.id}`, { token: admin.token })
      for (const session of sessions.body.data)
        assert.equal((await api('DELETE', `/sessions/${session.id}`, { token: admin.token })).status, 200)
      const after = await api('GET', '/users/me', { token: user.token })
      assert.equal(after.status, 401)
      assert.equal(after.body.message, 'The session has ended; log in again')
    })

    it('applies a role change to a cached token at once', async () => {
      const [user, admin] = await Promise.all([userWithRoles(['customer']), userWithRoles(['admin'])])
      // Customers see their own user record; support sees everyone's.
      const visible = async () => (await api('GET', '/users?$limit=1', { token: user.token })).body.total
      assert.equal(await visible(), 1)
      const patch = (roles: string[]) =>
        api('PATCH', `/users/${user.id}`, { token: admin.token, body: { roles } })
      assert.equal((await patch(['support'])).status, 200)
      assert.ok((await visible()) > 1)
      assert.equal((await patch(['customer'])).status, 200)
      assert.equal(await visible(), 1)
    })

    it('refuses a cached token at once after logout', async () => {
      const user = await userWithRoles(['customer'])
      assert.equal((await api('GET', '/users/me', { token: user.token })).status, 200)
      assert.equal((await api('DELETE', '/authentication', { token: user.token })).status, 200)
      assert.equal((await api('GET', '/users/me', { token: user.token })).status, 401)
    })

    it('refuses a cached token at once when its user is deleted', async () => {
      const [user, admin] = await Promise.all([userWithRoles(['customer']), userWithRoles(['admin'])])
      assert.equal((await api('GET', '/users/me', { token: user.token })).status, 200)
      const removed = await api('DELETE', `/users/${user.id}`, { token: admin.token })
      assert.equal(removed.status, 200, JSON.stringify(removed.body))
      assert.equal((await api('GET', '/users/me', { token: user.token })).status, 401)
    })
  })
})
