import assert from 'node:assert/strict'
import { api, testServer, userWithRoles, type TestUser } from '../helpers/server'
import { closeClients, openClient } from '../helpers/socket'
import { nullTextFilters } from '../../src/engine/runtime/schemas'

// "Not set yet" is a question clients ask (unread notifications, active sessions): an optional filter field
// compares with null, over REST as text (`?revokedAt=null`) and over Socket.io as null itself.
describe('queries: optional fields filtered by null', () => {
  let user: TestUser
  let active: number
  let revoked: number
  after(closeClients)

  before(async () => {
    user = await userWithRoles(['customer'])
    const again = await api('POST', '/authentication', {
      body: { strategy: 'local', email: user.email, password: user.password }
    })
    assert.equal(again.status, 201)
    const sessions = await api('GET', '/sessions?$sort[createdAt]=1', { token: user.token })
    assert.equal(sessions.body.total, 2)
    ;[active, revoked] = sessions.body.data.map((session: any) => session.id)
    // The second login is ended; the first one (whose token the tests use) stays.
    assert.equal((await api('DELETE', `/sessions/${revoked}`, { token: user.token })).status, 200)
  })

  const ids = async (query: string) => {
    const { status, body } = await api('GET', `/sessions?${query}`, { token: user.token })
    assert.equal(status, 200, JSON.stringify(body))
    return body.data.map((session: any) => session.id)
  }

  it('?revokedAt=null finds the unset ones, ?revokedAt[$ne]=null the set ones', async () => {
    assert.deepEqual(await ids('revokedAt=null'), [active])
    assert.deepEqual(await ids('revokedAt[$ne]=null'), [revoked])
  })

  it('reads an empty value as null too, as the Feathers REST client writes null', async () => {
    assert.deepEqual(await ids('revokedAt='), [active])
    assert.deepEqual(await ids('revokedAt[$ne]='), [revoked])
  })

  it('takes null itself over Socket.io', async () => {
    const { client } = await openClient(user, [])
    const unset = await client.service('sessions').find({ query: { revokedAt: null } })
    assert.deepEqual(
      unset.data.map((session: any) => session.id),
      [active]
    )
    const set = await client.service('sessions').find({ query: { revokedAt: { $ne: null } } })
    assert.deepEqual(
      set.data.map((session: any) => session.id),
      [revoked]
    )
  })

  it('refuses null where it cannot be, naming the field', async () => {
    // A required field is never null; the other operators compare values.
    const required = await api('GET', '/sessions?expiresAt=null', { token: user.token })
    assert.equal(required.status, 400)
    assert.equal(required.body.errors[0].field, 'expiresAt')
    const ordered = await api('GET', '/sessions?revokedAt[$lt]=null', { token: user.token })
    assert.equal(ordered.status, 400)
    assert.match(ordered.body.errors[0].field, /^revokedAt/)
    const nonsense = await api('GET', '/sessions?revokedAt=yesterday', { token: user.token })
    assert.equal(nonsense.status, 400)
    assert.equal(nonsense.body.errors[0].field, 'revokedAt')
  })

  it('keeps the text "null" as text on string fields', async () => {
    const { app } = await testServer()
    const byName = (name: string) => app.get('resources').find((resource: any) => resource.name === name)!
    // audit-log `subjectType` is an optional string: "null" may be what it holds.
    assert.ok(!nullTextFilters(byName('audit-log')).includes('subjectType'))
    assert.ok(nullTextFilters(byName('audit-log')).includes('actorId'))
    assert.deepEqual(nullTextFilters(byName('sessions')), ['revokedAt'])
  })
})
