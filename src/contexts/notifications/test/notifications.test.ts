import assert from 'node:assert/strict'
import { api, testServer, userWithRoles, type TestUser } from '../../../../test/helpers/server'
import { capturedPayment, pendingOrder } from '../../../../test/helpers/commerce'
import { eventually } from '../../../../test/helpers/outbox'
import { expirePendingOrdersJob } from '../../orders/expire-pending-orders'
import { closeClients, openClient, settle } from '../../../../test/helpers/socket'
import { money } from '../messages'
import { cloudEvent, deliver } from './events'

/** The user's notifications about one order, newest first, as the owner reads them over REST. */
const notificationsAbout = async (user: TestUser, orderId: number, query = '') => {
  const { status, body } = await api('GET', `/notifications?$sort[createdAt]=-1&$limit=100${query}`, {
    token: user.token
  })
  assert.equal(status, 200, JSON.stringify(body))
  return body.data.filter((notification: any) => notification.data?.orderId === orderId)
}

/** A real order as an admin (and so an event) reads it, in the state the event says. */
const orderAs = async (admin: TestUser, order: { id: number }, changes: Record<string, unknown>) => {
  const { body } = await api('GET', `/orders/${order.id}`, { token: admin.token })
  return { ...body, ...changes }
}

describe('notifications: the notifyCustomers consumer', () => {
  let customer: TestUser
  let admin: TestUser

  before(async () => {
    ;[customer, admin] = await Promise.all([userWithRoles(['customer']), userWithRoles(['admin'])])
  })

  const cases: [string, Record<string, unknown>, RegExp, RegExp][] = [
    ['orders.paid', { status: 'paid' }, /Payment received/, /payment of \$50\.00/],
    ['orders.shipped', { status: 'shipped' }, /has shipped/, /on its way/],
    ['orders.delivered', { status: 'delivered' }, /was delivered/, /was delivered/],
    ['orders.refunded', { status: 'refunded', refundedCents: 5000 }, /refunded/, /We refunded \$50\.00/],
    [
      'orders.partially_refunded',
      { status: 'partially_refunded', refundedCents: 2000 },
      /Partial refund/,
      /\$20\.00 of \$50\.00/
    ],
    ['orders.cancelled', { status: 'cancelled', cancelReason: 'customer' }, /cancelled/, /You cancelled/],
    [
      'orders.cancelled',
      { status: 'cancelled', cancelReason: 'admin' },
      /cancelled by the shop/,
      /The shop cancelled/
    ],
    [
      'orders.cancelled',
      { status: 'cancelled', cancelReason: 'expired' },
      /expired/,
      /not paid in time.*no longer reserved/
    ]
  ]
  for (const [type, changes, title, body] of cases) {
    it(`${type}${changes.cancelReason ? ` (${changes.cancelReason})` : ''}: one notification for the order's owner, none for a redelivery`, async () => {
      const order = await pendingOrder(customer)
      const event = cloudEvent(type, await orderAs(admin, order, changes))
      assert.equal(await deliver(event), 'handled')
      assert.equal(await deliver(event), 'duplicate')
      const written = await notificationsAbout(customer, order.id)
      assert.equal(written.length, 1, JSON.stringify(written))
      const [notification] = written
      assert.equal(notification.userId, customer.id)
      assert.equal(notification.type, type)
      assert.match(notification.title, title)
      assert.match(notification.title, new RegExp(`#${order.id}\\b`))
      assert.match(notification.body, body)
      assert.deepEqual(notification.data, { orderId: order.id })
      assert.equal(notification.readAt, null)
    })
  }

  it('payments.failed: tells the payer, with the amount, the reason and the payment', async () => {
    const order = await pendingOrder(customer, 150000)
    const payment = {
      id: 2_000_000_000 - order.id,
      orderId: order.id,
      userId: customer.id,
      status: 'failed',
      amountCents: 150000,
      currency: 'USD',
      failureReason: 'card declined (simulated)'
    }
    const event = cloudEvent('payments.failed', payment)
    assert.equal(await deliver(event), 'handled')
    assert.equal(await deliver(event), 'duplicate')
    const [notification, ...more] = await notificationsAbout(customer, order.id)
    assert.equal(more.length, 0)
    assert.equal(notification.type, 'payments.failed')
    assert.equal(notification.title, `Payment for order #${order.id} failed`)
    assert.match(notification.body, /\$1,500\.00 .* did not go through \(card declined \(simulated\)\)/)
    assert.deepEqual(notification.data, { orderId: order.id, paymentId: payment.id })
  })

  it('ignores other events of the stream, and events of users that no longer exist', async () => {
    const order = await pendingOrder(customer)
    const data = await orderAs(admin, order, {})
    assert.equal(await deliver(cloudEvent('orders.created', data)), 'handled')
    assert.equal(await deliver(cloudEvent('orders.patched', data)), 'handled')
    assert.equal((await notificationsAbout(customer, order.id)).length, 0)
    const gone = await deliver(cloudEvent('orders.paid', { ...data, userId: 2_000_000_000 }))
    assert.equal(gone, 'handled')
    const { app } = await testServer()
    const stray = await app.get('knex')('notifications').where({ userId: 2_000_000_000 })
    assert.equal(stray.length, 0)
  })

  it('formats amounts in their currency as a customer reads them', () => {
    assert.equal(money(5000, 'USD'), '$50.00')
    assert.equal(money(150000, 'KRW'), '₩150,000')
    assert.equal(money(1299, 'EUR'), '€12.99')
  })
})

describe('notifications: reading and marking read (REST)', () => {
  let customer: TestUser
  let other: TestUser
  let admin: TestUser
  let orderId: number
  let first: any
  let second: any

  before(async () => {
    ;[customer, other, admin] = await Promise.all([
      userWithRoles(['customer']),
      userWithRoles(['customer']),
      userWithRoles(['admin'])
    ])
    const order = await pendingOrder(customer)
    orderId = order.id
    const data = await orderAs(admin, order, {})
    await deliver(cloudEvent('orders.paid', { ...data, status: 'paid' }))
    await deliver(cloudEvent('orders.shipped', { ...data, status: 'shipped' }))
    ;[second, first] = await notificationsAbout(customer, orderId)
  })

  it('lists the owner’s notifications newest first', async () => {
    assert.equal(second.type, 'orders.shipped')
    assert.equal(first.type, 'orders.paid')
    assert.ok(second.createdAt >= first.createdAt)
  })

  it('finds the unread ones with ?readAt=null; PATCH {readAt} marks one read', async () => {
    assert.equal((await notificationsAbout(customer, orderId, '&readAt=null')).length, 2)
    const readAt = new Date().toISOString()
    const marked = await api('PATCH', `/notifications/${second.id}`, {
      token: customer.token,
      body: { readAt }
    })
    assert.equal(marked.status, 200, JSON.stringify(marked.body))
    assert.equal(new Date(marked.body.readAt).toISOString(), readAt)
    const unread = await notificationsAbout(customer, orderId, '&readAt=null')
    assert.deepEqual(
      unread.map((notification: any) => notification.id),
      [first.id]
    )
    const read = await notificationsAbout(customer, orderId, '&readAt[$ne]=null')
    assert.deepEqual(
      read.map((notification: any) => notification.id),
      [second.id]
    )
    // The count a badge shows, without the records.
    const count = await api('GET', '/notifications?readAt=null&$limit=0', { token: customer.token })
    assert.equal(count.body.total, 1)
  })

  it('lets the owner change only readAt', async () => {
    const refused = await api('PATCH', `/notifications/${first.id}`, {
      token: customer.token,
      body: { title: 'You won a prize' }
    })
    assert.equal(refused.status, 400, JSON.stringify(refused.body))
    assert.match(JSON.stringify(refused.body), /title/)
    const garbage = await api('PATCH', `/notifications/${first.id}`, {
      token: customer.token,
      body: { readAt: 'soon' }
    })
    assert.equal(garbage.status, 400)
    assert.equal(garbage.body.errors[0].field, 'readAt')
    const created = await api('POST', '/notifications', {
      token: customer.token,
      body: { type: 'orders.paid', title: 'Fake', body: 'Fake' }
    })
    assert.equal(created.status, 405, JSON.stringify(created.body))
  })

  it('is invisible to another customer: not listed, 404 to get and to patch', async () => {
    assert.equal((await notificationsAbout(other, orderId)).length, 0)
    const get = await api('GET', `/notifications/${first.id}`, { token: other.token })
    assert.equal(get.status, 404)
    const patch = await api('PATCH', `/notifications/${first.id}`, {
      token: other.token,
      body: { readAt: new Date().toISOString() }
    })
    assert.equal(patch.status, 404)
    const remove = await api('DELETE', `/notifications/${first.id}`, { token: other.token })
    assert.equal(remove.status, 404)
    assert.equal(
      (await api('GET', `/notifications/${first.id}`, { token: customer.token })).body.readAt,
      null
    )
  })

  it('is readable by admins, who cannot mark it read for the customer', async () => {
    const get = await api('GET', `/notifications/${first.id}`, { token: admin.token })
    assert.equal(get.status, 200)
    assert.equal(get.body.userId, customer.id)
    const patch = await api('PATCH', `/notifications/${first.id}`, {
      token: admin.token,
      body: { readAt: new Date().toISOString() }
    })
    // Only owners may patch: for anyone else the row is out of reach, like a missing one.
    assert.equal(patch.status, 404, JSON.stringify(patch.body))
  })

  it('lets the owner mark one unread again, and remove one', async () => {
    const unread = await api('PATCH', `/notifications/${second.id}`, {
      token: customer.token,
      body: { readAt: null }
    })
    assert.equal(unread.status, 200, JSON.stringify(unread.body))
    assert.equal(unread.body.readAt, null)
    const removed = await api('DELETE', `/notifications/${second.id}`, { token: customer.token })
    assert.equal(removed.status, 200, JSON.stringify(removed.body))
    assert.equal((await api('GET', `/notifications/${second.id}`, { token: customer.token })).status, 404)
  })

  it('needs a login', async () => {
    assert.equal((await api('GET', '/notifications')).status, 401)
  })
})

describe('notifications: pushed live to their owner only (Socket.io)', () => {
  after(closeClients)

  it('reaches the owner’s sockets only: never another customer’s, an anonymous one or an admin’s', async () => {
    const [owner, other, admin] = await Promise.all([
      userWithRoles(['customer']),
      userWithRoles(['customer']),
      userWithRoles(['admin'])
    ])
    const [mine, theirs, anonymous, staff] = await Promise.all([
      openClient(owner, ['notifications']),
      openClient(other, ['notifications']),
      openClient(undefined, ['notifications']),
      openClient(admin, ['notifications'])
    ])
    const order = await pendingOrder(owner)
    const data = await orderAs(admin, order, { status: 'shipped' })
    await deliver(cloudEvent('orders.shipped', data))
    // The other customer's own notification travels too, so "nothing arrived" is not just a quiet socket.
    const elsewhere = await pendingOrder(other)
    await deliver(cloudEvent('orders.shipped', await orderAs(admin, elsewhere, { status: 'shipped' })))
    await settle(300)
    const about = (received: { event: string; data: any }[], id: number) =>
      received.filter((each) => each.data?.data?.orderId === id)
    const [pushed, ...more] = about(mine.received, order.id)
    assert.equal(more.length, 0)
    assert.equal(pushed.event, 'notifications created')
    assert.equal(pushed.data.userId, owner.id)
    assert.equal(pushed.data.type, 'orders.shipped')
    assert.equal(about(theirs.received, order.id).length, 0)
    assert.equal(about(theirs.received, elsewhere.id).length, 1)
    assert.equal(about(mine.received, elsewhere.id).length, 0)
    assert.equal(anonymous.received.length, 0)
    // `realtime: owner`: admins may read every notification, but are not pushed everyone's.
    assert.equal(about(staff.received, order.id).length, 0)
    assert.equal(staff.received.length, 0)
    // Marking it read is pushed to the owner as well (another open tab updates its badge).
    await api('PATCH', `/notifications/${pushed.data.id}`, {
      token: owner.token,
      body: { readAt: new Date().toISOString() }
    })
    await settle(300)
    const patched = mine.received.filter((each) => each.event === 'notifications patched')
    assert.equal(patched.length, 1)
    assert.equal(theirs.received.filter((each) => each.event === 'notifications patched').length, 0)
  })
})

describe('notifications: from the API through the outbox, the relay and the consumer', () => {
  let customer: TestUser
  let admin: TestUser
  after(closeClients)

  before(async () => {
    ;[customer, admin] = await Promise.all([userWithRoles(['customer']), userWithRoles(['admin'])])
  })

  /** Waits until the customer has a notification of `type` about the order, then checks it is the only one. */
  const arrived = async (orderId: number, type: string) => {
    let found: any[] = []
    await eventually(`${type} for order ${orderId}`, async () => {
      found = (await notificationsAbout(customer, orderId)).filter((each: any) => each.type === type)
      return found.length > 0
    })
    await settle(300)
    found = (await notificationsAbout(customer, orderId)).filter((each: any) => each.type === type)
    assert.equal(found.length, 1, JSON.stringify(found))
    return found[0]
  }

  it('paying and shipping an order tell its owner, live on their socket', async () => {
    const { received } = await openClient(customer, ['notifications'])
    const { order } = await capturedPayment(customer)
    const paid = await arrived(order.id, 'orders.paid')
    assert.match(paid.body, /\$50\.00/)
    const shipped = await api('PATCH', `/orders/${order.id}`, {
      token: admin.token,
      body: { status: 'shipped' }
    })
    assert.equal(shipped.status, 200, JSON.stringify(shipped.body))
    const notification = await arrived(order.id, 'orders.shipped')
    assert.equal(notification.title, `Order #${order.id} has shipped`)
    const pushed = received.filter(
      (each) => each.event === 'notifications created' && each.data.data?.orderId === order.id
    )
    assert.deepEqual(
      pushed.map((each) => each.data.type),
      ['orders.paid', 'orders.shipped']
    )
  })

  it('a declined payment and the owner’s cancel tell the owner', async () => {
    const order = await pendingOrder(customer)
    const failed = await api('POST', '/payments', {
      token: customer.token,
      body: { orderId: order.id, paymentMethod: 'sim_fail' }
    })
    assert.equal(failed.body.status, 'failed', JSON.stringify(failed.body))
    const declined = await arrived(order.id, 'payments.failed')
    assert.deepEqual(declined.data, { orderId: order.id, paymentId: failed.body.id })
    await api('PATCH', `/orders/${order.id}`, { token: customer.token, body: { status: 'cancelled' } })
    const cancelled = await arrived(order.id, 'orders.cancelled')
    assert.match(cancelled.body, /You cancelled/)
  })

  it('an order that expired tells its owner so', async () => {
    const { app } = await testServer()
    const order = await pendingOrder(customer)
    await app
      .get('knex')('orders')
      .where({ id: order.id })
      .update({ createdAt: new Date(Date.now() - 2 * 60 * 60 * 1000) })
    await expirePendingOrdersJob.run(app)
    const expired = await arrived(order.id, 'orders.cancelled')
    assert.equal(expired.title, `Order #${order.id} expired`)
    assert.match(expired.body, /not paid in time/)
  })
})
