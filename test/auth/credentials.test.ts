import assert from 'node:assert/strict'
import jwt from 'jsonwebtoken'
import { LocalStrategy } from '@feathersjs/authentication-local'
import { api, testServer, unique, userWithRoles } from '../helpers/server'
import { closeClients, openClient } from '../helpers/socket'

const login = (body: unknown) => api('POST', '/authentication', { body })
const rounds = (hash: string) => /^\$2[aby]\$(\d\d)\$/.exec(hash)?.[1]
const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())

describe('auth: the Authorization header takes the Bearer scheme only', () => {
  it('refuses a bare token, another scheme or a malformed header with a 401 naming the scheme', async () => {
    const user = await userWithRoles(['customer'])
    assert.equal((await api('GET', '/users/me', { token: user.token })).status, 200)
    const lower = await api('GET', '/users/me', { headers: { authorization: `bearer ${user.token}` } })
    assert.equal(lower.status, 200, 'the scheme is case-insensitive')
    for (const authorization of [
      user.token,
      `JWT ${user.token}`,
      `Basic ${Buffer.from('a:b').toString('base64')}`,
      'Bearer',
      `Bearer ${user.token} extra`
    ]) {
      const { status, body, headers } = await api('GET', '/users/me', { headers: { authorization } })
      assert.equal(status, 401, authorization)
      assert.match(body.message, /Bearer <access token>/)
      assert.equal(headers.get('www-authenticate'), 'Bearer realm="internal-api"')
    }
    // On a public route too: the request does not go on as anonymous.
    const publicRoute = await api('GET', '/categories', { headers: { authorization: user.token } })
    assert.equal(publicRoute.status, 401)
    const anonymous = await api('GET', '/users/me')
    assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer realm="internal-api"', 'any 401 names it')
  })
})

describe('auth: access tokens name their issuer and audience, and both are checked', () => {
  after(closeClients)

  it('issues tokens with the configured iss and aud', async () => {
    const user = await userWithRoles(['customer'])
    const { iss, aud } = payloadOf(user.token)
    assert.equal(iss, 'internal-api')
    assert.equal(aud, 'internal-api')
  })

  it('refuses a correctly signed token with a missing or foreign iss or aud, over REST and Socket.io', async () => {
    const { app } = await testServer()
    const secret = app.get('authentication')!.secret
    const user = await userWithRoles(['customer'])
    // The genuine token is checked (and kept by the verified-token cache) first.
    assert.equal((await api('GET', '/users/me', { token: user.token })).status, 200)
    const { sid, sub } = payloadOf(user.token)
    const sign = (claims: Record<string, string>) =>
      jwt.sign({ sid, ...claims }, secret, { subject: sub, expiresIn: '5m', algorithm: 'HS256' })
    const forged = {
      'no iss': sign({ aud: 'internal-api' }),
      'foreign iss': sign({ aud: 'internal-api', iss: 'another-service' }),
      'no aud': sign({ iss: 'internal-api' }),
      'foreign aud': sign({ iss: 'internal-api', aud: 'another-api' })
    }
    for (const [what, token] of Object.entries(forged)) {
      const { status, body } = await api('GET', '/users/me', { token })
      assert.equal(status, 401, what)
      assert.match(body.message, /jwt (issuer|audience) invalid/, what)
      const { client } = await openClient()
      await assert.rejects(client.authenticate({ strategy: 'jwt', accessToken: token }), { code: 401 }, what)
    }
    const genuine = sign({ aud: 'internal-api', iss: 'internal-api' })
    assert.equal(
      (await api('GET', '/users/me', { token: genuine })).status,
      200,
      'the same claims, signed, pass'
    )
  })
})

describe('auth: a signed token must name a session and a user the database can hold', () => {
  after(closeClients)

  it('refuses sid and sub that are no ids (past the integer range, zero, text) with a 401, over REST and Socket.io', async () => {
    const { app } = await testServer()
    const secret = app.get('authentication')!.secret
    const user = await userWithRoles(['customer'])
    const { sid, sub } = payloadOf(user.token)
    const sign = (claims: Record<string, unknown>) =>
      jwt.sign({ sid, sub, iss: 'internal-api', aud: 'internal-api', ...claims }, secret, {
        expiresIn: '5m',
        algorithm: 'HS256'
      })
    const forged = {
      'sid past the range': sign({ sid: 2147483648 }),
      'sub past the range': sign({ sub: '2147483648' }),
      'sid as text': sign({ sid: 'x' }),
      'sid zero': sign({ sid: 0 }),
      'sid a fraction': sign({ sid: 1.5 })
    }
    for (const [what, token] of Object.entries(forged)) {
      const { status, body } = await api('GET', '/users/me', { token })
      assert.equal(status, 401, `${what}: ${JSON.stringify(body)}`)
      const login = await api('POST', '/authentication', { body: { strategy: 'jwt', accessToken: token } })
      assert.equal(login.status, 401, `${what} at POST /authentication: ${JSON.stringify(login.body)}`)
      const { client } = await openClient()
      await assert.rejects(client.authenticate({ strategy: 'jwt', accessToken: token }), { code: 401 }, what)
    }
  })
})

describe('auth: a malformed login body is a 400 naming the field', () => {
  after(closeClients)

  it('names the missing or ill-typed field, the unknown strategy, or the body, over REST and Socket.io', async () => {
    const email = `${unique('shape')}@example.com`
    const cases: [unknown, RegExp][] = [
      [{ email, password: 'whatever 1' }, /strategy is required/],
      [
        { strategy: 'nope', email, password: 'whatever 1' },
        /strategy must be one of jwt, local, refresh, apiKey/
      ],
      [{ strategy: 7, email, password: 'whatever 1' }, /strategy must be one of/],
      [{ strategy: 'local', password: 'whatever 1' }, /email is required/],
      [{ strategy: 'local', email: 42, password: 'whatever 1' }, /email must be a string/],
      [{ strategy: 'local', email: { $ne: '' }, password: 'whatever 1' }, /email must be a string/],
      [{ strategy: 'local', email }, /password is required/],
      [{ strategy: 'local', email, password: ['a'] }, /password must be a string/],
      [{ strategy: 'local', email: `${'a'.repeat(250)}@x.io`, password: 'p' }, /email must NOT have more/],
      [{ strategy: 'refresh', refreshToken: 12 }, /refreshToken must be a string/],
      [{ strategy: 'refresh' }, /refreshToken is required/],
      [{ strategy: 'jwt', accessToken: null }, /accessToken is required/],
      [{ strategy: 'apiKey', key: true }, /key must be a string/],
      [[], /must be a JSON object/]
    ]
    const { client } = await openClient()
    for (const [body, message] of cases) {
      const rest = await login(body)
      assert.equal(rest.status, 400, JSON.stringify(body))
      assert.match(rest.body.message, message)
      const field = /^Invalid data: (\w+) /.exec(rest.body.message)?.[1]
      if (!Array.isArray(body)) assert.equal(rest.body.errors?.[0]?.field, field, 'errors name the field')
      await assert.rejects(client.service('authentication').create(body as any), (error: any) => {
        assert.equal(error.code, 400, JSON.stringify(body))
        return true
      })
    }
  })

  it('still answers a well-formed wrong login with a 401', async () => {
    const wrong = await login({ strategy: 'local', email: `${unique()}@example.com`, password: 'wrong one' })
    assert.equal(wrong.status, 401)
    assert.equal(wrong.body.message, 'Invalid login')
  })
})

describe('auth: an unknown email costs the same bcrypt comparison as a wrong password', () => {
  it('compares the password against a hash of the same cost when no account has the email', async () => {
    const { app } = await testServer()
    const user = await userWithRoles(['customer'])
    const stored = (await app.get('knex')('users').where({ id: user.id }).first()).password as string
    const local = app.defaultAuthentication!().getStrategy('local') as any
    const compared: string[] = []
    const original = local.comparePassword
    local.comparePassword = async function (entity: any, password: string) {
      compared.push(entity.password)
      return original.call(this, entity, password)
    }
    try {
      const known = await login({ strategy: 'local', email: user.email, password: 'wrong password' })
      const unknown = await login({
        strategy: 'local',
        email: `${unique()}@example.com`,
        password: 'x y z w'
      })
      assert.equal(known.status, 401)
      assert.equal(unknown.status, 401)
      assert.deepEqual(known.body, unknown.body, 'the same answer')
      assert.equal(compared.length, 2, 'both paths compare a password')
      assert.equal(compared[0], stored)
      assert.notEqual(compared[1], stored)
      assert.ok(rounds(stored))
      assert.equal(rounds(compared[1]), rounds(stored), 'a bcrypt hash of the same cost')
    } finally {
      local.comparePassword = original
    }
  })
})

describe("auth: passwords beyond bcrypt's 72 bytes are refused, never cut", () => {
  const long = 'x'.repeat(73)
  const multiByte = '비밀번호'.repeat(7) // 28 characters, 84 bytes

  it('refuses them at registration with a 400 naming password and the byte limit', async () => {
    for (const password of [long, multiByte]) {
      const { status, body } = await api('POST', '/users', {
        body: { email: `${unique('long')}@example.com`, password, name: 'Long' }
      })
      assert.equal(status, 400, password)
      // 73 ASCII characters already break the declared maxLength (72); 28 Korean ones only the byte limit.
      assert.match(body.message, /password must NOT (have more than 72 characters|be longer than 72 bytes)/)
      assert.equal(body.errors[0].field, 'password')
    }
    const email = `${unique('edge')}@example.com`
    const exactly = `${'비'.repeat(23)}xxx` // 72 bytes
    assert.equal(
      (await api('POST', '/users', { body: { email, password: exactly, name: 'Edge' } })).status,
      201
    )
    assert.equal((await login({ strategy: 'local', email, password: exactly })).status, 201)
    const cut = await login({ strategy: 'local', email, password: `${exactly}more` })
    assert.equal(cut.status, 201, 'a longer login password of an existing account is what bcrypt compares')
  })

  it('refuses them on a password change', async () => {
    const user = await userWithRoles(['customer'])
    const { status, body } = await api('PATCH', '/users/me', {
      token: user.token,
      body: { password: multiByte, currentPassword: user.password }
    })
    assert.equal(status, 400)
    assert.match(body.message, /password must NOT be longer than 72 bytes/)
    assert.equal((await login({ strategy: 'local', email: user.email, password: user.password })).status, 201)
  })

  it('refuses to hash one on any other path (every stored password is hashed by the local strategy)', async () => {
    const { app } = await testServer()
    const local = app.defaultAuthentication!().getStrategy('local') as any
    await assert.rejects(local.hashPassword(multiByte, {}), { code: 400, message: /72 bytes/ })
    await assert.rejects(
      app.service('users').create({ email: `${unique('cli')}@example.com`, password: long, name: 'CLI' }),
      { code: 400 }
    )
  })

  it('keeps existing accounts whose long password was stored before working', async () => {
    const { app } = await testServer()
    const email = `${unique('legacy')}@example.com`
    const password = `${'legacy password '.repeat(6)}!` // 97 bytes
    // Hashed as it was before longer passwords were refused: by bcrypt itself, which reads 72 bytes.
    const local = app.defaultAuthentication!().getStrategy('local')
    const hash = await LocalStrategy.prototype.hashPassword.call(local, password, {})
    await app
      .get('knex')('users')
      .insert({ email, password: hash, name: 'Legacy', roles: JSON.stringify(['customer']) })
    assert.equal((await login({ strategy: 'local', email, password })).status, 201)
  })
})
