import assert from 'node:assert/strict'
import { api, testServer, unique, userWithRoles, type TestUser } from '../helpers/server'
import { pendingOrder, SHIPPING_ADDRESS, stockedProduct } from '../helpers/commerce'
import { eventually, outboxOf, outboxPosition } from '../helpers/outbox'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

describe('event outbox: committed changes as CloudEvents', () => {
  let admin: TestUser
  let customer: TestUser

  before(async () => {
    admin = await userWithRoles(['admin'])
    customer = await userWithRoles(['customer'])
  })

  it('writes one <resource>.created per new order, with its lines, and the relay publishes it', async () => {
    const order = await pendingOrder(customer)
    const rows = await outboxOf('orders', order.id)
    assert.deepEqual(
      rows.map((row: any) => row.type),
      ['orders.created']
    )
    const [row] = rows
    assert.match(row.id, UUID)
    assert.equal(row.data.id, order.id)
    assert.equal(row.data.status, 'pending')
    assert.equal(row.data.items.length, 1, "the order's lines travel in its event")
    await eventually(
      'the relay to publish it',
      async () => !!(await outboxOf('orders', order.id))[0].publishedAt
    )
  })

  it('adds <resource>.<state> for a declared transition, after the patch, in commit order', async () => {
    const order = await pendingOrder(customer)
    const cancelled = await api('PATCH', `/orders/${order.id}`, {
      token: customer.token,
      body: { status: 'cancelled' }
    })
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body))
    const rows = await outboxOf('orders', order.id)
    assert.deepEqual(
      rows.map((row: any) => row.type),
      ['orders.created', 'orders.patched', 'orders.cancelled']
    )
    assert.equal(rows[2].data.status, 'cancelled')
    assert.ok(Number(rows[1].position) < Number(rows[2].position))
  })

  it('writes nothing for a change that was rolled back', async () => {
    const scarce = await stockedProduct(admin, { stock: 1 })
    const before = await outboxPosition()
    // The order row is written, then the reservation fails: the whole transaction rolls back.
    const refused = await api('POST', '/orders', {
      token: customer.token,
      body: { items: [{ productId: scarce.id, quantity: 5 }], shippingAddress: SHIPPING_ADDRESS }
    })
    assert.equal(refused.status, 409, JSON.stringify(refused.body))
    const { app } = await testServer()
    const later = await app
      .get('knex')('outbox_events')
      .where('position', '>', before)
      .andWhere('type', 'like', 'orders.%')
      .andWhereRaw(`data->>'userId' = ?`, [String(customer.id)])
    assert.deepEqual(later, [])
  })

  it('never carries a hidden field, and security records publish nothing', async () => {
    const email = `${unique('events')}@example.com`
    const before = await outboxPosition()
    const created = await api('POST', '/users', {
      body: { email, password: 'correct horse battery', name: 'E' }
    })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    const login = await api('POST', '/authentication', {
      body: { strategy: 'local', email, password: 'correct horse battery' }
    })
    assert.equal(login.status, 201)
    const { app } = await testServer()
    const rows = await app.get('knex')('outbox_events').where('position', '>', before).orderBy('position')
    const mine = rows.filter(
      (row: any) => row.subject === String(created.body.id) || row.type.startsWith('sessions.')
    )
    assert.deepEqual(
      mine.map((row: any) => row.type),
      ['users.created'],
      'the user, not the session'
    )
    assert.equal(mine[0].data.email, email)
    assert.equal('password' in mine[0].data, false, 'the password hash is hidden')
  })
})
