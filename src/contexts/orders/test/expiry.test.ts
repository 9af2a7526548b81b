import assert from 'node:assert/strict'
import { api, testServer, userWithRoles, type TestUser } from '../../../../test/helpers/server'
import { SHIPPING_ADDRESS, stockedProduct } from '../../../../test/helpers/commerce'
import { closeClients, openClient, settle } from '../../../../test/helpers/socket'
import { describeOnPostgres } from '../../../../test/helpers/postgres'
import { outboxOf } from '../../../../test/helpers/outbox'
import { expirePendingOrders, expirePendingOrdersJob, pendingTtlMs } from '../expire-pending-orders'

// The job runs here directly, with the configured TTL (30m by default): orders are made old by moving their
// `createdAt` back, so no other test's fresh orders are ever due, whenever the workers' own runs happen.
const HOUR = 60 * 60 * 1000

const knex = async () => (await testServer()).app.get('knex')

/** Moves an order's creation (and its payments' last change) back in time. */
const age = async (orderId: number, ms = 2 * HOUR) => {
  const db = await knex()
  const then = new Date(Date.now() - ms)
  await db('orders').where({ id: orderId }).update({ createdAt: then })
  return then
}

const runJob = async () => expirePendingOrdersJob.run((await testServer()).app)

const order = async (token: string, id: number) => (await api('GET', `/orders/${id}`, { token })).body

/** What expiring an order left behind: its status entries in the history and its stock releases. */
const traces = async (orderId: number) => {
  const db = await knex()
  const history = await db('order_history').where({ orderId, toStatus: 'cancelled' })
  const releases = await db('inventory').where({ orderId, kind: 'release' })
  return { history, releases }
}

describe('orders: pending orders expire after ORDER_PENDING_TTL', () => {
  let admin: TestUser
  let customer: TestUser
  let product: any

  before(async () => {
    ;[admin, customer] = await Promise.all([userWithRoles(['admin']), userWithRoles(['customer'])])
    product = await stockedProduct(admin, { stock: 10 })
  })
  after(closeClients)

  const place = async (quantity = 2) => {
    const { status, body } = await api('POST', '/orders', {
      token: customer.token,
      body: { items: [{ productId: product.id, quantity }], shippingAddress: SHIPPING_ADDRESS }
    })
    assert.equal(status, 201, JSON.stringify(body))
    return body
  }
  const stock = async () => (await api('GET', `/products/${product.id}`, { token: admin.token })).body.stock

  it('reads the TTL from the configuration (30m by default) and runs every orders.expiryIntervalMs', async () => {
    const { app } = await testServer()
    assert.equal(pendingTtlMs(app), 30 * 60 * 1000)
    assert.equal(expirePendingOrdersJob.intervalMs(app), app.get('orders').expiryIntervalMs)
  })

  it('cancels an old pending order as expired: stock released once, one history entry, an event', async () => {
    const watcher = await openClient(admin, ['orders'])
    const before = await stock()
    const old = await place(3)
    assert.equal(await stock(), before - 3)
    await age(old.id)
    await runJob()
    const expired = await order(customer.token, old.id)
    assert.equal(expired.status, 'cancelled')
    assert.equal(expired.cancelReason, 'expired')
    assert.equal(await stock(), before)
    const { history, releases } = await traces(old.id)
    assert.equal(history.length, 1)
    assert.equal(history[0].transition, 'cancel')
    assert.equal(history[0].fromStatus, 'pending')
    assert.equal(history[0].actorId, null, 'the system, not a user')
    assert.deepEqual(
      releases.map((entry: any) => entry.quantity),
      [3]
    )
    // A second run finds nothing left to do.
    await runJob()
    assert.equal((await traces(old.id)).releases.length, 1)
    await settle()
    const events = watcher.received.filter(
      (each) => each.event === 'orders patched' && each.data.id === old.id && each.data.status === 'cancelled'
    )
    assert.equal(events.length, 1)
    assert.equal(events[0].data.cancelReason, 'expired')
    const outbox = (await outboxOf('orders', old.id)).map((row: any) => row.type)
    assert.deepEqual(outbox, ['orders.created', 'orders.patched', 'orders.cancelled'])
  })

  it('leaves young pending orders, and old orders that are no longer pending', async () => {
    const young = await place(1)
    const paid = await place(1)
    // Paid first, then made old: a run of the workers' own in between finds it paid already.
    const payment = await api('POST', '/payments', {
      token: customer.token,
      body: { orderId: paid.id, paymentMethod: 'sim_succeed' }
    })
    assert.equal(payment.body.status, 'captured', JSON.stringify(payment.body))
    await age(paid.id)
    await runJob()
    assert.equal((await order(customer.token, young.id)).status, 'pending')
    assert.equal((await order(customer.token, paid.id)).status, 'paid')
    assert.equal((await traces(paid.id)).releases.length, 0)
  })

  it('waits for a payment in flight; one stuck longer than the TTL is cancelled with the order', async () => {
    const paying = await place(1)
    const payment = await api('POST', '/payments', {
      token: customer.token,
      body: { orderId: paying.id, paymentMethod: 'sim_async' }
    })
    assert.equal(payment.body.status, 'pending', JSON.stringify(payment.body))
    await age(paying.id)
    await runJob()
    assert.equal((await order(customer.token, paying.id)).status, 'pending')
    // The provider never answered (no webhook, nothing the reconciler could settle) for longer than the TTL.
    await (
      await knex()
    )('payments')
      .where({ id: payment.body.id })
      .update({ updatedAt: new Date(Date.now() - HOUR) })
    await runJob()
    const expired = await order(customer.token, paying.id)
    assert.equal(expired.status, 'cancelled')
    assert.equal(expired.cancelReason, 'expired')
    const cancelled = await api('GET', `/payments/${payment.body.id}`, { token: customer.token })
    assert.equal(cancelled.body.status, 'cancelled')
  })

  it('expires nothing when ORDER_PENDING_TTL is 0 (the job is off)', async () => {
    const { app } = await testServer()
    const configured = app.get('orders')
    const old = await place(1)
    // Off before the order is made old, so that no run of the workers' own sees it either.
    app.set('orders', { ...configured, pendingTtl: '0' })
    try {
      await age(old.id, 1000 * HOUR)
      assert.equal(expirePendingOrdersJob.intervalMs(app), 0)
      await expirePendingOrdersJob.run(app)
      assert.equal((await order(customer.token, old.id)).status, 'pending')
    } finally {
      app.set('orders', configured)
    }
    // Left as it was for the other tests: cancelled by its owner.
    await api('PATCH', `/orders/${old.id}`, { token: customer.token, body: { status: 'cancelled' } })
  })
})

describe('orders: who cancelled (cancelReason)', () => {
  let admin: TestUser
  let customer: TestUser
  let product: any

  before(async () => {
    ;[admin, customer] = await Promise.all([userWithRoles(['admin']), userWithRoles(['customer'])])
    product = await stockedProduct(admin, { stock: 10 })
  })

  const place = async () =>
    (
      await api('POST', '/orders', {
        token: customer.token,
        body: { items: [{ productId: product.id, quantity: 1 }], shippingAddress: SHIPPING_ADDRESS }
      })
    ).body

  const cancel = (token: string, id: number) =>
    api('PATCH', `/orders/${id}`, { token, body: { status: 'cancelled' } })

  it('is customer when the owner cancels, admin when staff do, and empty until then', async () => {
    const mine = await place()
    assert.equal(mine.cancelReason, null)
    const byOwner = await cancel(customer.token, mine.id)
    assert.equal(byOwner.status, 200, JSON.stringify(byOwner.body))
    assert.equal(byOwner.body.cancelReason, 'customer')
    const theirs = await place()
    const byAdmin = await cancel(admin.token, theirs.id)
    assert.equal(byAdmin.status, 200, JSON.stringify(byAdmin.body))
    assert.equal(byAdmin.body.cancelReason, 'admin')
  })

  it('is admin when staff cancel a paid order (refunded in full)', async () => {
    const paid = await place()
    await api('POST', '/payments', {
      token: customer.token,
      body: { orderId: paid.id, paymentMethod: 'sim_succeed' }
    })
    const byAdmin = await cancel(admin.token, paid.id)
    assert.equal(byAdmin.status, 200, JSON.stringify(byAdmin.body))
    const stored = await order(customer.token, paid.id)
    assert.equal(stored.cancelReason, 'admin')
  })

  it('cannot be set by a client', async () => {
    const mine = await place()
    const refused = await api('PATCH', `/orders/${mine.id}`, {
      token: customer.token,
      body: { status: 'cancelled', cancelReason: 'expired' }
    })
    assert.equal(refused.status, 400, JSON.stringify(refused.body))
    assert.match(JSON.stringify(refused.body), /cancelReason/)
    const note = await api('PATCH', `/orders/${mine.id}`, {
      token: customer.token,
      body: { cancelReason: 'admin' }
    })
    assert.equal(note.status, 400)
    assert.equal((await order(customer.token, mine.id)).cancelReason, null)
  })
})

describeOnPostgres('orders: expiry with two workers at once (PostgreSQL)', () => {
  let admin: TestUser
  let customers: TestUser[]

  before(async () => {
    admin = await userWithRoles(['admin'])
    customers = await Promise.all(Array.from({ length: 4 }, () => userWithRoles(['customer'])))
  })
  after(closeClients)

  it('expires each order once: stock released once, one history entry, one cancelled event', async () => {
    const product = await stockedProduct(admin, { stock: 40 })
    const watcher = await openClient(admin, ['orders'])
    const orders = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const { body } = await api('POST', '/orders', {
          token: customers[i % customers.length].token,
          body: { items: [{ productId: product.id, quantity: 2 }], shippingAddress: SHIPPING_ADDRESS }
        })
        return body
      })
    )
    for (const each of orders) await age(each.id)
    assert.equal((await api('GET', `/products/${product.id}`, { token: admin.token })).body.stock, 16)
    const { app } = await testServer()
    // Two runs of the job racing over the same orders, each on connections of its own: between them they
    // expire each order once (a third, the workers' own run, may take some too).
    const counts = await Promise.all([expirePendingOrders(app), expirePendingOrders(app)])
    assert.ok(counts[0] + counts[1] <= orders.length, JSON.stringify(counts))
    assert.equal((await api('GET', `/products/${product.id}`, { token: admin.token })).body.stock, 40)
    await settle(300)
    for (const each of orders) {
      const { history, releases } = await traces(each.id)
      assert.equal(history.length, 1, `order ${each.id}: ${JSON.stringify(history)}`)
      assert.equal(releases.length, 1, `order ${each.id}: ${JSON.stringify(releases)}`)
      const cancelled = watcher.received.filter(
        (event) => event.event === 'orders patched' && event.data.id === each.id
      )
      assert.equal(cancelled.length, 1, `order ${each.id}`)
      assert.equal(cancelled[0].data.cancelReason, 'expired')
      const outbox = (await outboxOf('orders', each.id)).filter((row: any) => row.type === 'orders.cancelled')
      assert.equal(outbox.length, 1, `order ${each.id}: ${outbox.length} orders.cancelled events`)
      assert.equal(outbox[0].data.cancelReason, 'expired')
    }
  })

  it('lets a payment that holds the order win over expiry, or expiry over the payment, never both', async () => {
    const product = await stockedProduct(admin, { stock: 20 })
    const customer = customers[0]
    const orders = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const { body } = await api('POST', '/orders', {
          token: customer.token,
          body: { items: [{ productId: product.id, quantity: 1 }], shippingAddress: SHIPPING_ADDRESS }
        })
        return body
      })
    )
    for (const each of orders) await age(each.id)
    const { app } = await testServer()
    // Payments spread over the job's run, so that some reach an order before it and some after.
    const [payments] = await Promise.all([
      Promise.all(
        orders.map(async (each, i) => {
          await new Promise((resolve) => setTimeout(resolve, i * 15))
          return api('POST', '/payments', {
            token: customer.token,
            body: { orderId: each.id, paymentMethod: 'sim_succeed' }
          })
        })
      ),
      expirePendingOrdersJob.run(app)
    ])
    let paid = 0
    for (const [i, each] of orders.entries()) {
      const stored = await order(customer.token, each.id)
      const { releases } = await traces(each.id)
      if (stored.status === 'paid') {
        paid++
        assert.equal(payments[i].body.status, 'captured')
        assert.equal(releases.length, 0)
      } else {
        assert.equal(stored.status, 'cancelled')
        assert.equal(stored.cancelReason, 'expired')
        assert.equal(payments[i].status, 409, JSON.stringify(payments[i].body))
        assert.equal(releases.length, 1)
      }
    }
    const left = (await api('GET', `/products/${product.id}`, { token: admin.token })).body.stock
    assert.equal(left, 20 - paid)
  })
})
