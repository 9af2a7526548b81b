import assert from 'node:assert/strict'
import type { Client } from 'graphql-ws'
import { api, testServer, unique, userWithRoles, type TestUser } from '../helpers/server'
import { pendingOrder } from '../helpers/commerce'
import { closeClients, openClient, settle } from '../helpers/socket'
import { collect, connect, endOf, until, wait } from '../helpers/graphql-ws'

// Who receives a subscription's events, beside what Socket.io's channels send the same identities: role changes
// and removals as they happen, API keys' scopes, and `realtime: owner`.
describe('GraphQL subscriptions: the audience follows identities as Socket.io does', () => {
  let admin: TestUser
  const clients: Client[] = []
  const open = async (connectionParams?: Record<string, string>) => {
    const client = await connect(connectionParams)
    clients.push(client)
    return client
  }
  const bearer = (user: TestUser) => ({ authorization: `Bearer ${user.token}` })

  before(async () => {
    admin = await userWithRoles(['admin'])
  })
  after(async () => {
    for (const client of clients) await client.dispose()
    closeClients()
  })

  it("moves a user's open subscriptions with their roles: demoted staff stop, a promoted customer starts", async () => {
    const [alice, sam, cara] = await Promise.all([
      userWithRoles(['customer']),
      userWithRoles(['support']),
      userWithRoles(['customer'])
    ])
    const order = await pendingOrder(alice, 4200)
    const query = 'subscription { orderPatched { id note } }'
    const samEvents = collect(await open(bearer(sam)), query)
    const caraEvents = collect(await open(bearer(cara)), query)
    const samSocket = await openClient(sam, ['orders'])
    const caraSocket = await openClient(cara, ['orders'])
    await wait(300)
    const notesOf = (received: any[]) =>
      received.filter((event) => event.data.orderPatched.id === order.id).map((e) => e.data.orderPatched.note)
    const socketNotes = (received: { event: string; data: any }[]) =>
      received.filter((r) => r.event === 'orders patched' && r.data.id === order.id).map((r) => r.data.note)
    const note = async (text: string) => {
      const patched = await api('PATCH', `/orders/${order.id}`, { token: alice.token, body: { note: text } })
      assert.equal(patched.status, 200, JSON.stringify(patched.body))
    }
    const setRoles = async (user: TestUser, roles: string[]) =>
      assert.equal(
        (await api('PATCH', `/users/${user.id}`, { token: admin.token, body: { roles } })).status,
        200
      )

    await note('first')
    await until(() => notesOf(samEvents.received).includes('first'))
    await setRoles(sam, ['customer'])
    await setRoles(cara, ['customer', 'support'])
    await settle()
    await note('second')
    await until(() => notesOf(caraEvents.received).includes('second'))
    await settle(300)

    assert.deepEqual(notesOf(samEvents.received), ['first'], 'demoted: no other customer’s orders any more')
    assert.deepEqual(
      notesOf(caraEvents.received),
      ['second'],
      'promoted: other customers’ orders from now on'
    )
    // Socket.io's channels, for the same people and writes, say the same.
    assert.deepEqual(socketNotes(samSocket.received), ['first'])
    assert.deepEqual(socketNotes(caraSocket.received), ['second'])
    // Still connected: the demotion narrowed the subscription, it did not end it.
    assert.equal(await endOf(samEvents.ended, 100), 'still open')
  })

  it('ends the subscriptions of a user an admin removes (4401)', async () => {
    const gone = await userWithRoles(['customer'])
    const events = collect(await open(bearer(gone)), 'subscription { productCreated { id } }')
    await wait(300)
    assert.equal((await api('DELETE', `/users/${gone.id}`, { token: admin.token })).status, 200)
    const ended = await endOf(events.ended)
    assert.equal(ended?.code, 4401)
    assert.equal(ended?.reason, 'User removed')
  })

  it('tells an API key exactly what it may get, over graphql-ws and Socket.io alike', async () => {
    const key = async (methods: string[]) => {
      const created = await api('POST', '/api-keys', {
        token: admin.token,
        body: { name: unique('events'), scopes: [{ resource: 'products', methods }] }
      })
      assert.equal(created.status, 201, JSON.stringify(created.body))
      return created.body.key as string
    }
    const [getter, finder] = await Promise.all([key(['get']), key(['find'])])
    const query = 'subscription { productCreated { sku status } }'
    const getterEvents = collect(await open({ 'x-api-key': getter }), query)
    const finderEvents = collect(await open({ 'x-api-key': finder }), query)
    const sockets = await Promise.all(
      [getter, finder].map(async (secret) => {
        const socket = await openClient(undefined, ['products'])
        await socket.client.authenticate({ strategy: 'apiKey', key: secret } as any)
        return socket
      })
    )
    await wait(300)
    const sku = unique('KEYED')
    const draft = await api('POST', '/products', {
      token: admin.token,
      body: { sku, name: sku, priceCents: 100, currency: 'USD', status: 'draft' }
    })
    assert.equal(draft.status, 201)
    await until(() => getterEvents.received.some((event) => event.data.productCreated.sku === sku))
    await until(() => sockets[0].received.some((r) => r.event === 'products created' && r.data.sku === sku))
    await settle(300)
    assert.ok(
      !finderEvents.received.some((event) => event.data.productCreated.sku === sku),
      'find only: none'
    )
    assert.ok(!sockets[1].received.some((r) => r.data?.sku === sku), 'find only: none over Socket.io either')
  })

  it('sends `realtime: owner` events to the owner alone, not to staff who may read them', async () => {
    const [owner, other] = await Promise.all([userWithRoles(['customer']), userWithRoles(['customer'])])
    const query = 'subscription { notificationCreated { title userId } }'
    const mine = collect(await open(bearer(owner)), query)
    const staff = collect(await open(bearer(admin)), query)
    const theirs = collect(await open(bearer(other)), query)
    await wait(300)
    const { app } = await testServer()
    const title = unique('note')
    // Written as the notifications consumer writes them (an internal call).
    await app.service('notifications').create({ userId: owner.id, type: 'orders.shipped', title, body: 'b' })
    await until(() => mine.received.some((event) => event.data.notificationCreated.title === title))
    await settle(300)
    const got = (events: { received: any[] }) =>
      events.received.some((event) => event.data.notificationCreated.title === title)
    assert.equal(got(staff), false, 'an admin may read it, but is not told of it')
    assert.equal(got(theirs), false)
  })
})
