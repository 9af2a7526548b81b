import assert from 'node:assert/strict'
import { api, testServer, unique, userWithRoles, type TestUser } from '../helpers/server'
import { closeClients, openClient } from '../helpers/socket'

const login = (email: string, password: string, headers: Record<string, string> = {}) =>
  api('POST', '/authentication', { body: { strategy: 'local', email, password }, headers })
const refresh = (refreshToken: string) =>
  api('POST', '/authentication', { body: { strategy: 'refresh', refreshToken } })
const secrets = /\$2[aby]\$|refreshTokenHash|refreshSalt|keyHash|"password"/

describe('identity: sessions, refresh tokens and logout (REST)', () => {
  let user: TestUser

  beforeEach(async () => {
    user = await userWithRoles(['customer'])
  })

  it('logs in with an access token, a refresh token and the user, and records a session', async () => {
    const { status, body } = await login(user.email, user.password, { 'user-agent': 'identity-test/1.0' })
    assert.equal(status, 201)
    assert.ok(body.accessToken && body.refreshToken)
    assert.equal(body.user.id, user.id)
    assert.ok(!secrets.test(JSON.stringify(body)))
    const sessions = await api('GET', '/sessions', { token: body.accessToken })
    const mine = sessions.body.data.find((s: any) => s.id === body.authentication.payload.sid)
    assert.equal(mine.userAgent, 'identity-test/1.0')
    assert.ok(mine.ip)
    assert.equal(mine.revokedAt, null)
    assert.ok(!secrets.test(JSON.stringify(sessions.body)))
  })

  it('issues short-lived access tokens (15 minutes by default)', async () => {
    const { body } = await login(user.email, user.password)
    const { exp, iat } = body.authentication.payload
    assert.equal(exp - iat, 15 * 60)
  })

  it('rotates refresh tokens; reusing an old one revokes the whole session', async () => {
    const first = (await login(user.email, user.password)).body
    const second = await refresh(first.refreshToken)
    assert.equal(second.status, 201)
    assert.notEqual(second.body.refreshToken, first.refreshToken)
    assert.ok(second.body.accessToken)
    assert.equal((await api('GET', '/users/me', { token: second.body.accessToken })).status, 200)

    const reuse = await refresh(first.refreshToken)
    assert.equal(reuse.status, 401)
    assert.equal((await api('GET', '/users/me', { token: second.body.accessToken })).status, 401)
    assert.equal(
      (await refresh(second.body.refreshToken)).status,
      401,
      'the newest token died with the session'
    )
  })

  it('lets only one of two concurrent refreshes with the same token win', async () => {
    const { refreshToken } = (await login(user.email, user.password)).body
    const results = await Promise.all([refresh(refreshToken), refresh(refreshToken)])
    const statuses = results.map((r) => r.status).sort()
    assert.ok(statuses.includes(401), `one must fail: ${statuses}`)
    assert.ok(statuses.filter((s) => s === 201).length <= 1)
  })

  it('rejects malformed and forged refresh tokens with a 401 (a missing or non-string one is a 400)', async () => {
    for (const token of ['nope', '1.1.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', '', 12]) {
      const { status } = await api('POST', '/authentication', {
        body: { strategy: 'refresh', refreshToken: token }
      })
      assert.equal(status, typeof token === 'string' && token ? 401 : 400, String(token))
    }
  })

  it('logs out: the session is revoked and its access and refresh tokens stop working at once', async () => {
    const { accessToken, refreshToken } = (await login(user.email, user.password)).body
    assert.equal((await api('DELETE', '/authentication', { token: accessToken })).status, 200)
    assert.equal((await api('GET', '/users/me', { token: accessToken })).status, 401)
    assert.equal((await refresh(refreshToken)).status, 401)
    assert.equal((await api('GET', '/users/me', { token: user.token })).status, 200, 'other sessions live on')
  })

  it('reads the token from Authorization as Bearer only (credentials/test.ts: other forms are a 401)', async () => {
    const me = await api('GET', '/users/me', { headers: { authorization: `Bearer ${user.token}` } })
    assert.equal(me.body.id, user.id)
    for (const authorization of [`jwt ${user.token}`, user.token, `Basic ${user.token}`]) {
      const refused = await api('GET', '/users/me', { headers: { authorization } })
      assert.equal(refused.status, 401, authorization.slice(0, 10))
    }
  })

  it('answers GET /users/me with the caller, and 401 without a token', async () => {
    const me = await api('GET', '/users/me', { token: user.token })
    assert.equal(me.body.id, user.id)
    assert.equal((await api('GET', '/users/me')).status, 401)
  })

  it('lists and revokes only your own sessions; admins see and revoke any', async () => {
    const other = await userWithRoles(['customer'])
    const admin = await userWithRoles(['admin'])
    const mine = await api('GET', '/sessions', { token: user.token })
    assert.ok(mine.body.data.length >= 1)
    assert.ok(mine.body.data.every((s: any) => s.userId === user.id))
    const theirs = (await api('GET', '/sessions', { token: other.token })).body.data[0]
    assert.equal((await api('GET', `/sessions/${theirs.id}`, { token: user.token })).status, 404)
    assert.equal((await api('DELETE', `/sessions/${theirs.id}`, { token: user.token })).status, 404)
    assert.equal((await api('GET', '/users/me', { token: other.token })).status, 200)

    const all = await api('GET', `/sessions?userId=${other.id}`, { token: admin.token })
    assert.equal(all.body.data[0].userId, other.id)
    const revoked = await api('DELETE', `/sessions/${theirs.id}`, { token: admin.token })
    assert.equal(revoked.status, 200)
    assert.ok(revoked.body.revokedAt)
    assert.equal((await api('GET', '/users/me', { token: other.token })).status, 401)
  })

  it('answers concurrent revocations of one session each with the revoked session, never an empty 204', async () => {
    const admin = await userWithRoles(['admin'])
    const [session] = (await api('GET', '/sessions', { token: user.token })).body.data
    // Each read the session as live; all but the first found nothing left to revoke.
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => api('DELETE', `/sessions/${session.id}`, { token: admin.token }))
    )
    for (const answer of answers) {
      assert.equal(answer.status, 200)
      assert.equal(answer.body.id, session.id)
      assert.ok(answer.body.revokedAt)
    }
  })

  it('cannot be created, changed or written through the API', async () => {
    assert.equal(
      (await api('POST', '/sessions', { token: user.token, body: { userId: user.id } })).status,
      405
    )
    const [session] = (await api('GET', '/sessions', { token: user.token })).body.data
    assert.equal(
      (await api('PATCH', `/sessions/${session.id}`, { token: user.token, body: { revokedAt: null } }))
        .status,
      405
    )
  })
})

describe('identity: profile and credentials (REST)', () => {
  it('updates profile fields without the current password', async () => {
    const user = await userWithRoles(['customer'])
    const { status, body } = await api('PATCH', '/users/me', {
      token: user.token,
      body: { name: 'Profile Name', phone: '+82 10 1234 5678', locale: 'ko-KR' }
    })
    assert.equal(status, 200)
    assert.equal(body.phone, '+82 10 1234 5678')
    assert.equal(body.locale, 'ko-KR')
  })

  it('needs the correct current password to change email or password', async () => {
    const user = await userWithRoles(['customer'])
    const missing = await api('PATCH', `/users/${user.id}`, {
      token: user.token,
      body: { email: `${unique()}@example.com` }
    })
    assert.equal(missing.status, 400)
    assert.equal(missing.body.errors[0].field, 'currentPassword')
    const wrong = await api('PATCH', `/users/${user.id}`, {
      token: user.token,
      body: { password: 'new password 123', currentPassword: 'not my password' }
    })
    assert.equal(wrong.status, 400)
    assert.match(wrong.body.message, /currentPassword is not correct/)
    const email = `${unique('moved')}@example.com`
    const moved = await api('PATCH', `/users/${user.id}`, {
      token: user.token,
      body: { email, currentPassword: user.password }
    })
    assert.equal(moved.status, 200)
    assert.equal(moved.body.email, email)
    assert.ok(!('currentPassword' in moved.body))
  })

  it('refuses a password equal to the email', async () => {
    const email = `${unique('same')}@example.com`
    const { status, body } = await api('POST', '/users', { body: { email, password: email, name: 'Same' } })
    assert.equal(status, 400)
    assert.equal(body.errors[0].field, 'password')
  })

  it('ends your other sessions when you change your password, keeping the current one', async () => {
    const user = await userWithRoles(['customer'])
    const elsewhere = (await login(user.email, user.password)).body.accessToken
    const changed = await api('PATCH', '/users/me', {
      token: user.token,
      body: { password: 'a whole new password', currentPassword: user.password }
    })
    assert.equal(changed.status, 200)
    assert.equal((await api('GET', '/users/me', { token: elsewhere })).status, 401)
    assert.equal((await api('GET', '/users/me', { token: user.token })).status, 200)
  })

  it('lets admins assign roles and nobody raise their own', async () => {
    const user = await userWithRoles(['customer'])
    const admin = await userWithRoles(['admin'])
    assert.equal(
      (await api('PATCH', '/users/me', { token: user.token, body: { roles: ['admin'] } })).status,
      400
    )
    assert.equal(
      (
        await api('POST', '/users', {
          body: { email: `${unique()}@x.io`, password: 'long enough 1', name: 'x', roles: ['admin'] }
        })
      ).status,
      400
    )
    const granted = await api('PATCH', `/users/${user.id}`, {
      token: admin.token,
      body: { roles: ['customer', 'catalog'] }
    })
    assert.deepEqual(granted.body.roles, ['customer', 'catalog'])
    const product = { sku: unique('R'), name: 'Role check', priceCents: 1, currency: 'USD' }
    assert.equal(
      (await api('POST', '/products', { token: user.token, body: product })).status,
      201,
      'the new role counts at once'
    )
    await api('PATCH', `/users/${user.id}`, { token: admin.token, body: { roles: ['customer'] } })
    assert.equal(
      (await api('POST', '/products', { token: user.token, body: { ...product, sku: unique('R') } })).status,
      403,
      'a removed role stops counting at once'
    )
  })

  it('answers 403 when a customer calls admin methods', async () => {
    const user = await userWithRoles(['customer'])
    assert.equal((await api('DELETE', `/users/${user.id}`, { token: user.token })).status, 403)
    assert.equal((await api('GET', '/audit-log', { token: user.token })).status, 403)
    assert.equal((await api('GET', '/api-keys', { token: user.token })).status, 403)
    assert.equal(
      (
        await api('POST', '/api-keys', {
          token: user.token,
          body: { name: 'x', scopes: [{ resource: 'products' }] }
        })
      ).status,
      403
    )
  })
})

describe('identity: API keys for services (REST)', () => {
  let admin: TestUser
  const createKey = async (body: Record<string, unknown>) =>
    api('POST', '/api-keys', { token: admin.token, body })
  const withKey = (key: string) => ({ 'x-api-key': key })

  before(async () => {
    admin = await userWithRoles(['admin'])
  })

  it('shows the secret once, stores only a hash, and lists keys without secrets', async () => {
    const created = await createKey({
      name: 'shipping-service',
      scopes: [{ resource: 'products', methods: ['find', 'get'] }]
    })
    assert.equal(created.status, 201)
    assert.match(created.body.key, /^iak_[\w-]{43}$/)
    assert.equal(created.body.prefix, created.body.key.slice(0, 12))
    assert.ok(!('keyHash' in created.body))
    // Newest first: the suite (or a database reused for runs) may hold more keys than one page.
    const listed = await api('GET', '/api-keys?$sort[createdAt]=-1', { token: admin.token })
    assert.ok(listed.body.data.some((k: any) => k.id === created.body.id))
    assert.ok(!JSON.stringify(listed.body).includes(created.body.key))
    assert.ok(!secrets.test(JSON.stringify(listed.body)))
    const one = await api('GET', `/api-keys/${created.body.id}`, { token: admin.token })
    assert.ok(!('key' in one.body))
  })

  it('does exactly what its scopes allow and nothing else', async () => {
    const { key } = (
      await createKey({
        name: 'catalog-sync',
        scopes: [{ resource: 'products', methods: ['find', 'create'] }]
      })
    ).body
    assert.equal((await api('GET', '/products', { headers: withKey(key) })).status, 200)
    const draft = { sku: unique('K'), name: 'Keyed', priceCents: 10, currency: 'KRW' }
    const created = await api('POST', '/products', { headers: withKey(key), body: draft })
    assert.equal(created.status, 201)
    assert.equal((await api('GET', `/products/${created.body.id}`, { headers: withKey(key) })).status, 403)
    assert.equal(
      (await api('PATCH', `/products/${created.body.id}`, { headers: withKey(key), body: { name: 'x' } }))
        .status,
      403
    )
    assert.equal((await api('GET', '/users', { headers: withKey(key) })).status, 403)
    assert.equal((await api('GET', '/categories', { headers: withKey(key) })).status, 403)
    const listed = await api('GET', '/api-keys?$sort[createdAt]=-1', { token: admin.token })
    assert.ok(listed.body.data.find((k: any) => k.name === 'catalog-sync').lastUsedAt, 'last use is recorded')
  })

  it('limits read-only scopes to find and get', async () => {
    const { key } = (
      await createKey({ name: 'reporting', scopes: [{ resource: 'categories', readOnly: true }] })
    ).body
    assert.equal((await api('GET', '/categories', { headers: withKey(key) })).status, 200)
    assert.equal(
      (await api('POST', '/categories', { headers: withKey(key), body: { name: 'x', slug: unique('k') } }))
        .status,
      403
    )
  })

  it('answers 401 for unknown, revoked and expired keys', async () => {
    assert.equal((await api('GET', '/products', { headers: withKey('iak_not-a-real-key') })).status, 401)
    const { id, key } = (await createKey({ name: 'short-lived', scopes: [{ resource: 'products' }] })).body
    assert.equal((await api('GET', '/products', { headers: withKey(key) })).status, 200)
    assert.equal((await api('DELETE', `/api-keys/${id}`, { token: admin.token })).status, 200)
    assert.equal((await api('GET', '/products', { headers: withKey(key) })).status, 401)
    const expired = (
      await createKey({
        name: 'expired',
        scopes: [{ resource: 'products' }],
        expiresAt: '2020-01-01T00:00:00.000Z'
      })
    ).body
    assert.equal((await api('GET', '/products', { headers: withKey(expired.key) })).status, 401)
  })

  it('rejects scopes on undeclared resources and unknown methods with a 400 naming the field', async () => {
    const unknown = await createKey({ name: 'x', scopes: [{ resource: 'spaceships' }] })
    assert.equal(unknown.status, 400)
    assert.equal(unknown.body.errors[0].field, 'scopes.0.resource')
    const badMethod = await createKey({ name: 'x', scopes: [{ resource: 'products', methods: ['destroy'] }] })
    assert.equal(badMethod.status, 400)
    const setsHash = await createKey({ name: 'x', scopes: [{ resource: 'products' }], keyHash: 'abc' })
    assert.equal(setsHash.status, 400)
  })
})

describe('identity: audit log', () => {
  it('records logins, failures, logouts, revocations, credential and role changes, and keys', async () => {
    const admin = await userWithRoles(['admin'])
    const user = await userWithRoles(['customer'])
    await login(user.email, 'wrong password')
    const session = (await login(user.email, user.password)).body
    await api('DELETE', '/authentication', { token: session.accessToken })
    await api('PATCH', '/users/me', {
      token: user.token,
      body: { password: 'changed password 1', currentPassword: user.password }
    })
    await api('PATCH', `/users/${user.id}`, { token: admin.token, body: { roles: ['customer', 'support'] } })
    const key = (
      await api('POST', '/api-keys', {
        token: admin.token,
        body: { name: 'audited', scopes: [{ resource: 'products' }] }
      })
    ).body
    await api('DELETE', `/api-keys/${key.id}`, { token: admin.token })

    const entries = (await api('GET', '/audit-log?$limit=200&$sort[createdAt]=-1', { token: admin.token }))
      .body.data
    const about = (action: string, match: (e: any) => boolean = () => true) =>
      entries.find((e: any) => e.action === action && match(e))
    assert.ok(about('login.failure', (e) => e.details.email === user.email))
    assert.ok(about('login.success', (e) => e.actorId === user.id))
    assert.ok(
      about('logout', (e) => e.actorId === user.id && e.subjectId === session.authentication.payload.sid)
    )
    assert.ok(about('session.revoke', (e) => e.subjectId === session.authentication.payload.sid))
    assert.ok(about('password.change', (e) => e.subjectId === user.id && e.actorId === user.id))
    const roles = about('roles.change', (e) => e.subjectId === user.id)
    assert.deepEqual(roles.details, { from: ['customer'], to: ['customer', 'support'] })
    assert.equal(roles.actorId, admin.id)
    assert.ok(about('apikey.create', (e) => e.subjectId === key.id))
    assert.ok(about('apikey.revoke', (e) => e.subjectId === key.id))
    assert.ok(about('login.success', (e) => e.actorId === user.id).ip, 'where from')
    assert.ok(
      !secrets.test(JSON.stringify(entries)) && !JSON.stringify(entries).includes('changed password 1')
    )
  })

  it('is never writable through the API', async () => {
    const admin = await userWithRoles(['admin'])
    const [entry] = (await api('GET', '/audit-log', { token: admin.token })).body.data
    assert.equal(
      (await api('POST', '/audit-log', { token: admin.token, body: { action: 'logout' } })).status,
      405
    )
    assert.equal(
      (await api('PATCH', `/audit-log/${entry.id}`, { token: admin.token, body: { action: 'logout' } }))
        .status,
      405
    )
    assert.equal((await api('DELETE', `/audit-log/${entry.id}`, { token: admin.token })).status, 405)
  })
})

describe('identity: brute-force protection', () => {
  it('limits failed logins per account with a 429 and Retry-After, even for the right password', async () => {
    const user = await userWithRoles(['customer'])
    for (let attempt = 0; attempt < 5; attempt++)
      assert.equal((await login(user.email, 'wrong password')).status, 401)
    const blocked = await login(user.email.toUpperCase(), user.password)
    assert.equal(blocked.status, 429)
    assert.ok(Number(blocked.headers.get('retry-after')) >= 1)
    assert.ok(!blocked.body.message.includes(user.email))
    assert.equal(
      (await login((await userWithRoles(['customer'])).email, user.password)).status,
      201,
      'other accounts unaffected'
    )
  })
})

describe('identity: attacks that must fail', () => {
  it('does not let a forged refresh token revoke someone else’s session', async () => {
    const victim = await userWithRoles(['customer'])
    const { refreshToken } = (await login(victim.email, victim.password)).body
    const [sid] = refreshToken.split('.')
    for (const forged of [
      `${sid}.0.${'a'.repeat(43)}`,
      `${sid}.1.${'b'.repeat(43)}`,
      `${sid}.2.${'c'.repeat(43)}`
    ]) {
      assert.equal((await refresh(forged)).status, 401)
    }
    assert.equal((await refresh(refreshToken)).status, 201, 'the real token still works: nothing was revoked')
  })

  it('rejects query operators in login credentials', async () => {
    const user = await userWithRoles(['customer'])
    for (const email of [{ $ne: 'x' }, { $in: [user.email] }, ['a']]) {
      const response = await api('POST', '/authentication', {
        body: { strategy: 'local', email, password: user.password }
      })
      assert.equal(response.status, 400, JSON.stringify(email))
      assert.match(response.body.message, /email must be a string/)
    }
  })

  it('never gives an API key power over identities', async () => {
    const admin = await userWithRoles(['admin'])
    for (const scopes of [
      [{ resource: 'api-keys' }],
      [{ resource: 'sessions', readOnly: true }],
      [{ resource: 'audit-log', methods: ['find'] }],
      [{ resource: 'users', methods: ['patch'] }],
      [{ resource: 'users' }]
    ]) {
      const response = await api('POST', '/api-keys', {
        token: admin.token,
        body: { name: 'too strong', scopes }
      })
      assert.equal(response.status, 400, JSON.stringify(scopes))
      assert.equal(response.body.errors[0].field, 'scopes.0.resource')
    }
    const reader = await api('POST', '/api-keys', {
      token: admin.token,
      body: { name: 'user directory', scopes: [{ resource: 'users', methods: ['find', 'get'] }] }
    })
    assert.equal(reader.status, 201)
  })

  it('refuses a key on what the declarations close to keys (apiKeys), whatever its scopes say', async () => {
    const admin = await userWithRoles(['admin'])
    const created = await api('POST', '/api-keys', {
      token: admin.token,
      body: { name: 'made before apiKeys closed them', scopes: [{ resource: 'products' }] }
    })
    assert.equal(created.status, 201)
    // As if the key had been made before the declarations said `apiKeys: false` / `read`.
    const { app } = await testServer()
    const scopes = [{ resource: 'audit-log' }, { resource: 'users' }, { resource: 'products' }]
    await app
      .get('knex')('api_keys')
      .where({ id: created.body.id })
      .update({ scopes: JSON.stringify(scopes) })
    const key = { 'x-api-key': created.body.key }
    const audit = await api('GET', '/audit-log', { headers: key })
    assert.equal(audit.status, 403)
    assert.match(audit.body.message, /API keys may not find audit-log \(its declaration: apiKeys: false\)/)
    const patch = await api('PATCH', `/users/${admin.id}`, { headers: key, body: { name: 'renamed' } })
    assert.equal(patch.status, 403)
    assert.match(patch.body.message, /apiKeys: read/)
    assert.equal((await api('GET', `/users/${admin.id}`, { headers: key })).status, 200)
    assert.equal((await api('GET', '/products', { headers: key })).status, 200)
  })

  it('reveals nothing about another user through account rules', async () => {
    const me = await userWithRoles(['customer'])
    const other = await userWithRoles(['customer'])
    const probe = await api('PATCH', `/users/${other.id}`, {
      token: me.token,
      body: { password: other.email }
    })
    assert.equal(probe.status, 404)
  })

  it('counts wrong current passwords like failed logins', async () => {
    const me = await userWithRoles(['customer'])
    for (let i = 0; i < 5; i++) {
      const wrong = await api('PATCH', '/users/me', {
        token: me.token,
        body: { password: 'new password 1', currentPassword: `wrong guess ${i}` }
      })
      assert.equal(wrong.status, 400)
    }
    const blocked = await api('PATCH', '/users/me', {
      token: me.token,
      body: { password: 'new password 1', currentPassword: 'wrong guess 5' }
    })
    assert.equal(blocked.status, 429)
  })
})

describe('identity: no route raises its own rights', () => {
  after(closeClients)

  it('refuses roles in batches and over Socket.io as over REST', async () => {
    const body = { email: `${unique('batch')}@example.com`, password: 'long enough 1', name: 'Batch' }
    const batch = await api('POST', '/users', { body: [{ ...body, roles: ['admin'] }] })
    assert.equal(batch.status, 400)
    const plainBatch = await api('POST', '/users', {
      body: [body, { ...body, email: `${unique()}@example.com` }]
    })
    assert.ok([400, 405].includes(plainBatch.status), `batch create is refused: ${plainBatch.status}`)

    const me = await userWithRoles(['customer'])
    const { client } = await openClient(me, [])
    await assert.rejects(client.service('users').patch(me.id, { roles: ['admin'] }), { code: 400 })
    await assert.rejects(client.service('users').patch(null, { roles: ['admin'] }), (error: any) =>
      [400, 405].includes(error.code)
    )
    const anonymous = await openClient(undefined, [])
    await assert.rejects(
      anonymous.client
        .service('users')
        .create({ ...body, email: `${unique()}@example.com`, roles: ['admin'] }),
      { code: 400 }
    )
    assert.deepEqual((await api('GET', '/users/me', { token: me.token })).body.roles, ['customer'])
  })
})
