import assert from 'node:assert/strict'
import { VerifiedTokens } from '../../src/auth/verified-tokens'
import { api, testServer, userWithRoles } from '../helpers/server'

const inSeconds = (seconds: number) => Math.floor(Date.now() / 1000) + seconds

describe('verified tokens: a token is checked once, its expiry every time', () => {
  it('answers with the stored payload until the expiry, then forgets the token', () => {
    const tokens = new VerifiedTokens()
    const payload = tokens.set('a.b.c', { sid: 1, exp: inSeconds(60) })
    assert.equal(tokens.get('a.b.c'), payload)
    assert.ok(Object.isFrozen(payload), 'no request can change what the next one sees')
    assert.equal(tokens.get('a.b.d'), undefined, 'only the exact token')
    assert.equal(tokens.get('a.b.c', Date.now() + 61_000), undefined)
    assert.equal(tokens.size, 0)
  })

  it('keeps no token without an expiry', () => {
    const tokens = new VerifiedTokens()
    tokens.set('a.b.c', { sid: 1 })
    assert.equal(tokens.get('a.b.c'), undefined)
  })

  it('refuses a token once it has expired, though it was accepted (and kept) a moment before', async function () {
    this.timeout(30_000) // a server start and a user first, on a busy machine
    const user = await userWithRoles(['customer'])
    const { sid, sub } = JSON.parse(Buffer.from(user.token.split('.')[1], 'base64url').toString())
    const { app } = await testServer()
    const shortLived = await app
      .service('authentication')
      // `exp` counts whole seconds from a floored `iat`: 1 s could leave a few milliseconds of life. 3 s leave 2+.
      .createAccessToken({ sid }, { subject: String(sub), expiresIn: 3 })
    assert.equal((await api('GET', '/users/me', { token: shortLived })).status, 200)
    assert.equal((await api('GET', '/users/me', { token: shortLived })).status, 200)
    await new Promise((resolve) => setTimeout(resolve, 3_100))
    const expired = await api('GET', '/users/me', { token: shortLived })
    assert.equal(expired.status, 401)
    assert.match(expired.body.message, /expired/)
  })

  it('refuses a token with one character changed after the original was accepted', async () => {
    const user = await userWithRoles(['customer'])
    assert.equal((await api('GET', '/users/me', { token: user.token })).status, 200)
    const last = user.token.at(-2) === 'A' ? 'B' : 'A'
    const forged = `${user.token.slice(0, -2)}${last}${user.token.at(-1)}`
    assert.equal((await api('GET', '/users/me', { token: forged })).status, 401)
  })
})
