import assert from 'node:assert/strict'
import type { Client } from 'graphql-ws'
import { api, unique, userWithRoles, type TestUser } from '../helpers/server'
import { pendingOrder } from '../helpers/commerce'
import { collect, connect, until, wait } from '../helpers/graphql-ws'

describe('GraphQL subscriptions over graphql-ws', () => {
  let admin: TestUser
  let alice: TestUser
  let bob: TestUser
  const clients: Client[] = []

  before(async () => {
    ;[admin, alice, bob] = await Promise.all([
      userWithRoles(['admin']),
      userWithRoles(['customer']),
      userWithRoles(['customer'])
    ])
  })
  after(async () => {
    for (const client of clients) await client.dispose()
  })

  it('follows an order from pending to paid to shipped; another customer receives nothing; logout ends it', async () => {
    const order = await pendingOrder(alice, 4100)
    const aliceClient = await connect({ authorization: `Bearer ${alice.token}` })
    const bobClient = await connect({ authorization: `Bearer ${bob.token}` })
    clients.push(aliceClient, bobClient)
    const query = 'subscription { orderPatched { id status user { email } } }'
    const mine = collect(aliceClient, query)
    const theirs = collect(bobClient, query)
    await wait(300) // both subscriptions registered on the server

    const paid = await api('POST', '/payments', {
      token: alice.token,
      body: { orderId: order.id, paymentMethod: 'sim_succeed' }
    })
    assert.equal(paid.status, 201, JSON.stringify(paid.body))
    const shipped = await api('PATCH', `/orders/${order.id}`, {
      token: admin.token,
      body: { status: 'shipped' }
    })
    assert.equal(shipped.status, 200, JSON.stringify(shipped.body))

    const statuses = () =>
      mine.received
        .filter((event) => event.data?.orderPatched.id === order.id)
        .map((e) => e.data.orderPatched.status)
    await until(() => statuses().includes('shipped'))
    assert.deepEqual([...new Set(statuses())], ['paid', 'shipped'])
    assert.equal(mine.received[0].data.orderPatched.user.email, alice.email)
    await wait(300)
    assert.deepEqual(theirs.received, [], 'bob may not get the order')

    // Logging out revokes the session: the socket is closed and the subscription ends.
    assert.equal((await api('DELETE', '/authentication', { token: alice.token })).status, 200)
    const ended: any = await Promise.race([mine.ended, wait(5000).then(() => 'still open')])
    assert.equal(ended?.code, 4401)
  })

  it('delivers to anonymous subscribers only what the public may read', async () => {
    const anonymous = await connect()
    clients.push(anonymous)
    const events = collect(anonymous, 'subscription { productCreated { sku status } }')
    await wait(300)
    const draft = unique('DRAFT')
    const live = unique('LIVE')
    for (const [sku, status] of [
      [draft, 'draft'],
      [live, 'active']
    ])
      await api('POST', '/products', {
        token: admin.token,
        body: { sku, name: sku, priceCents: 100, currency: 'USD', status }
      })
    await until(() => events.received.some((event) => event.data.productCreated.sku === live))
    assert.ok(!events.received.some((event) => event.data.productCreated.sku === draft))
  })

  it('refuses a bad credential in connection_init', async () => {
    const bad = await connect({ authorization: 'Bearer not-a-token' })
    clients.push(bad)
    const { ended } = collect(bad, 'subscription { productCreated { id } }')
    const error: any = await Promise.race([ended, wait(5000).then(() => 'still open')])
    assert.equal(error?.code, 4403)
  })
})
