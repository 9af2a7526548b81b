import assert from 'node:assert/strict'
import { api, unique, userWithRoles, type TestUser } from '../helpers/server'
import { closeClients, openClient, settle } from '../helpers/socket'

const connect = () => openClient()

describe('realtime: sessions, roles and API keys on live sockets', () => {
  let admin: TestUser
  before(async () => {
    admin = await userWithRoles(['admin'])
  })
  after(closeClients)

  it('stops delivery to a revoked session at once and tells the socket', async () => {
    const user = await userWithRoles(['customer'])
    const { client, received } = await connect()
    await client.authenticate({ strategy: 'jwt', accessToken: user.token })
    await api('PATCH', '/users/me', { token: user.token, body: { name: 'Before revoke' } })
    await settle()
    assert.ok(received.some((r) => r.event === 'users patched' && r.data.name === 'Before revoke'))

    const [session] = (await api('GET', '/sessions', { token: user.token })).body.data
    await api('DELETE', `/sessions/${session.id}`, { token: admin.token })
    await settle()
    assert.ok(received.some((r) => r.event === 'authentication revoked' && r.data.sessionId === session.id))

    const before = received.length
    await api('PATCH', `/users/${user.id}`, { token: admin.token, body: { name: 'After revoke' } })
    await settle()
    assert.ok(!received.slice(before).some((r) => r.event === 'users patched'), 'no events after revocation')
    await assert.rejects(client.service('users').get(user.id), { code: 401 })
  })

  it('keeps public events flowing to a socket after it logs out', async () => {
    const user = await userWithRoles(['customer'])
    const { client, received } = await connect()
    await client.authenticate({
      strategy: 'jwt',
      accessToken: (
        await api('POST', '/authentication', {
          body: { strategy: 'local', email: user.email, password: user.password }
        })
      ).body.accessToken
    })
    await client.logout()
    const product = await api('POST', '/products', {
      token: admin.token,
      body: {
        sku: unique('L'),
        name: 'Public after logout',
        priceCents: 1,
        currency: 'USD',
        status: 'active'
      }
    })
    await settle()
    assert.ok(received.some((r) => r.event === 'products created' && r.data.id === product.body.id))
  })

  it("never sends a user another user's session events", async () => {
    const alice = await userWithRoles(['customer'])
    const bob = await userWithRoles(['customer'])
    const watcher = await connect()
    await watcher.client.authenticate({ strategy: 'jwt', accessToken: alice.token })
    const [bobSession] = (await api('GET', '/sessions', { token: bob.token })).body.data
    await api('DELETE', `/sessions/${bobSession.id}`, { token: bob.token })
    await settle()
    assert.ok(!watcher.received.some((r) => r.event.startsWith('sessions') && r.data.userId === bob.id))
    assert.ok(!JSON.stringify(watcher.received).includes('refreshSalt'))
    await assert.rejects(watcher.client.service('sessions').get(bobSession.id), { code: 404 })
  })

  it('moves a socket between role channels when an admin changes its roles', async () => {
    const user = await userWithRoles(['customer'])
    const { client, received } = await connect()
    await client.authenticate({ strategy: 'jwt', accessToken: user.token })
    const draft = () => ({ sku: unique('RC'), name: 'Draft for staff', priceCents: 1, currency: 'USD' })
    const hidden = (await api('POST', '/products', { token: admin.token, body: draft() })).body
    await api('PATCH', `/users/${user.id}`, { token: admin.token, body: { roles: ['customer', 'catalog'] } })
    const visible = (await api('POST', '/products', { token: admin.token, body: draft() })).body
    await settle()
    const ids = received.filter((r) => r.event === 'products created').map((r) => r.data.id)
    assert.ok(!ids.includes(hidden.id))
    assert.ok(ids.includes(visible.id))
    await client.service('products').create(draft())
  })

  it('authenticates API keys on sockets, limited to their scopes', async () => {
    const created = await api('POST', '/api-keys', {
      token: admin.token,
      body: { name: 'socket-service', scopes: [{ resource: 'products', methods: ['find', 'get'] }] }
    })
    const { client, received } = await connect()
    const result = await client.authenticate({ strategy: 'apiKey', key: created.body.key } as any)
    assert.ok(!JSON.stringify(result).includes(created.body.key), 'the secret is not echoed')
    assert.ok((await client.service('products').find({ query: { $limit: 1 } })).data)
    await assert.rejects(
      client.service('products').create({ sku: unique(), name: 'x', priceCents: 1, currency: 'USD' }),
      {
        code: 403
      }
    )
    await assert.rejects(client.service('users').find(), { code: 403 })
    const draft = await api('POST', '/products', {
      token: admin.token,
      body: { sku: unique('AK'), name: 'Draft for the service', priceCents: 1, currency: 'USD' }
    })
    await settle()
    assert.ok(
      received.some((r) => r.event === 'products created' && r.data.id === draft.body.id),
      'scoped reads get events'
    )
    assert.ok(!received.some((r) => r.event.startsWith('users')))
    await api('DELETE', `/api-keys/${created.body.id}`, { token: admin.token })
    await settle()
    assert.ok(
      received.some((r) => r.event === 'authentication revoked'),
      'the socket is told'
    )
    // From now on the socket is anonymous: public products only, and no staff events.
    await assert.rejects(client.service('products').get(draft.body.id), { code: 404 })
    const later = await api('POST', '/products', {
      token: admin.token,
      body: { sku: unique('AK'), name: 'After revoke', priceCents: 1, currency: 'USD' }
    })
    await settle()
    assert.ok(!received.some((r) => r.event === 'products created' && r.data.id === later.body.id))
  })
})
