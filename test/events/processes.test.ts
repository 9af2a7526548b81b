import assert from 'node:assert/strict'
import { describeOnPostgres } from '../helpers/postgres'
import { ADDRESS, DEPLOYMENT_ADMIN, startDeployment, type Deployment } from '../helpers/deployment'
import { streamEvents } from '../helpers/jetstream'
import { eventually } from '../helpers/outbox'

/**
 * The deployment of docs/events.md with real processes: an API with WORKERS=off and `npm run worker`, on one
 * PostgreSQL database and NATS JetStream (a stream of this test's own).
 */
describeOnPostgres('event-driven core across processes (API WORKERS=off, npm run worker, NATS)', function () {
  this.timeout(240_000)
  let deployment: Deployment
  let adminToken: string
  let customers: string[] = []
  let productId: number
  const orderIds: number[] = []

  const stream = () => deployment.env.NATS_STREAM!
  const unpublished = async () =>
    Number((await deployment.db.knex('outbox_events').whereNull('publishedAt').count('* as n'))[0].n)

  before(async () => {
    deployment = await startDeployment('events', { nats: true })
    adminToken = await deployment.login(DEPLOYMENT_ADMIN.email, DEPLOYMENT_ADMIN.password)
    customers = await Promise.all(Array.from({ length: 5 }, async () => (await deployment.customer()).token))
  })

  after(() => deployment?.stop())

  it('keeps events in the outbox while no worker runs, and the worker publishes them', async () => {
    productId = await deployment.product(adminToken, { stock: 10_000 })
    assert.ok((await unpublished()) >= 2, 'WORKERS=off: the API process publishes nothing itself')
    await deployment.addWorker()
    await eventually('the worker to publish the outbox', async () => (await unpublished()) === 0)
    const types = (await streamEvents(stream())).map(({ event }) => event.type)
    assert.ok(types.includes('products.created') && types.includes('inventory.created'), types.join())
  })

  it('a burst of concurrent orders publishes exactly one orders.created per order', async () => {
    const placed = await Promise.all(
      Array.from({ length: 30 }, (_, n) =>
        deployment.call(
          'POST',
          '/orders',
          { items: [{ productId, quantity: 1 }], shippingAddress: ADDRESS },
          customers[n % 5]
        )
      )
    )
    for (const order of placed) assert.equal(order.status, 201, JSON.stringify(order.body))
    orderIds.push(...placed.map((order) => order.body.id))
    await eventually('all published', async () => (await unpublished()) === 0)
    const created = (await streamEvents(stream())).filter(({ event }) => event.type === 'orders.created')
    assert.deepEqual(
      created.map(({ event }) => Number(event.subject)).sort((a, b) => a - b),
      [...orderIds].sort((a, b) => a - b)
    )
    for (const { msgId, subject, event } of created) {
      assert.equal(msgId, event.id)
      assert.equal(subject, `${deployment.env.NATS_SUBJECT_PREFIX}.orders.created`)
      assert.equal(event.data.items.length, 1)
    }
  })

  it('a worker killed with kill -9 mid-stream: after a restart no event is missing, none published twice', async () => {
    const cancelling = Promise.all(
      orderIds.map((orderId, n) =>
        deployment.call('PATCH', `/orders/${orderId}`, { status: 'cancelled' }, customers[n % 5])
      )
    )
    // Killed as soon as it has published the first cancellation, while the others are being written.
    const cancellationsPublished = async () =>
      Number(
        (
          await deployment.db
            .knex('outbox_events')
            .where({ type: 'orders.cancelled' })
            .whereNotNull('publishedAt')
            .count('* as n')
        )[0].n
      )
    await eventually('a first cancellation published', async () => (await cancellationsPublished()) > 0)
    await deployment.killWorker()
    for (const cancelled of await cancelling)
      assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body))
    await deployment.addWorker()
    await eventually('all published after the restart', async () => (await unpublished()) === 0, 30_000)

    const outbox = await deployment.db.knex('outbox_events').orderBy('position')
    const published = await streamEvents(stream())
    const ids = published.map(({ msgId }) => msgId)
    assert.equal(new Set(ids).size, ids.length, 'no event is in the stream twice')
    assert.deepEqual(
      new Set(ids),
      new Set(outbox.map((row: any) => row.id)),
      'every committed event is in the stream'
    )
    for (const orderId of orderIds) {
      const types = published
        .filter(({ event }) => event.type.startsWith('orders.') && event.subject === String(orderId))
        .map(({ event }) => event.type)
      assert.deepEqual(types, ['orders.created', 'orders.patched', 'orders.cancelled'], `order ${orderId}`)
    }
  })
})
