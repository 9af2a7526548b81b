import assert from 'node:assert/strict'
import { feathers, socketio, authentication as authenticationClient } from '@feathersjs/client'
import { io, type Socket } from 'socket.io-client'
import { describeOnPostgres } from '../../../../test/helpers/postgres'
import {
  ADDRESS,
  DEPLOYMENT_ADMIN,
  startDeployment,
  type Deployment
} from '../../../../test/helpers/deployment'
import { eventually } from '../../../../test/helpers/outbox'
import { privateRedis } from '../../../../test/helpers/redis'

const HOUR = 60 * 60 * 1000

/**
 * Expiry and notifications in the deployment of docs/events.md with real processes: an API with WORKERS=off,
 * two `npm run worker` processes, one PostgreSQL, NATS JetStream (a stream of this test's own) and Redis (which
 * carries the notifications the workers write to the API's sockets).
 */
describeOnPostgres('expiry and notifications across processes (API WORKERS=off, two workers)', function () {
  this.timeout(240_000)
  let deployment: Deployment
  let redis: Awaited<ReturnType<typeof privateRedis>>
  const sockets: Socket[] = []
  let productId: number

  const placeOrders = (count: number, token: string) =>
    Promise.all(
      Array.from({ length: count }, async () => {
        const placed = await deployment.call(
          'POST',
          '/orders',
          { items: [{ productId, quantity: 2 }], shippingAddress: ADDRESS },
          token
        )
        assert.equal(placed.status, 201, JSON.stringify(placed.body))
        return placed.body.id as number
      })
    )
  const notificationsOf = (orderIds: number[], type: string) =>
    deployment.db
      .knex('notifications')
      .where({ type })
      .whereRaw(`("data"->>'orderId')::int = any(?)`, [orderIds])
  const stock = async () =>
    (await deployment.db.knex('products').where({ id: productId }).first()).stock as number

  before(async () => {
    redis = await privateRedis()
    deployment = await startDeployment('notify', {
      nats: true,
      env: {
        REDIS_URL: redis.url,
        // Orders are made old by hand: the workers then find them at their next run, a few times a second.
        ORDER_PENDING_TTL: '30m',
        ORDER_EXPIRY_INTERVAL_MS: '200'
      }
    })
    const adminToken = await deployment.login(DEPLOYMENT_ADMIN.email, DEPLOYMENT_ADMIN.password)
    productId = await deployment.product(adminToken, { priceCents: 1500, stock: 1000 })
    await Promise.all([deployment.addWorker(), deployment.addWorker()])
  })

  after(async () => {
    sockets.forEach((socket) => socket.close())
    await deployment?.stop()
    await redis?.kill()
  })

  it('two workers expire each old order once: stock, history, event and notification once each', async () => {
    const { db } = deployment
    const buyer = await deployment.customer()
    const before = await stock()
    const orderIds = await placeOrders(10, buyer.token)
    assert.equal(await stock(), before - 20)
    await db
      .knex('orders')
      .whereIn('id', orderIds)
      .update({ createdAt: new Date(Date.now() - 2 * HOUR) })
    await eventually(
      'every old order expired',
      async () =>
        (await db.knex('orders').whereIn('id', orderIds).where({ cancelReason: 'expired' })).length === 10,
      30_000
    )
    await eventually(
      'a notification for each',
      async () => (await notificationsOf(orderIds, 'orders.cancelled')).length >= 10,
      60_000
    )
    // The workers' later runs and redeliveries add nothing.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    assert.equal(await stock(), before)
    for (const orderId of orderIds) {
      const history = await db.knex('order_history').where({ orderId, toStatus: 'cancelled' })
      assert.equal(history.length, 1, `order ${orderId}: ${history.length} history entries`)
      const releases = await db.knex('inventory').where({ orderId, kind: 'release' })
      assert.equal(releases.length, 1, `order ${orderId}: ${releases.length} releases`)
      const events = await db
        .knex('outbox_events')
        .where({ subject: String(orderId), type: 'orders.cancelled' })
      assert.equal(events.length, 1, `order ${orderId}: ${events.length} orders.cancelled`)
    }
    const notifications = await notificationsOf(orderIds, 'orders.cancelled')
    assert.equal(notifications.length, 10)
    for (const notification of notifications) {
      assert.equal(notification.userId, buyer.id)
      assert.match(notification.title, /expired/)
    }
  })

  it('a worker killed with kill -9 mid-stream: after a restart each order’s notification exists once, and the restarted worker’s reach the API’s socket once', async () => {
    const buyer = await deployment.customer()
    const socket = io(deployment.api!.url, { transports: ['websocket'], forceNew: true })
    sockets.push(socket)
    const client = feathers()
      .configure(socketio(socket))
      .configure(authenticationClient({ storage: undefined as any }))
    await client.authenticate({ strategy: 'jwt', accessToken: buyer.token })
    const pushed: any[] = []
    client.service('notifications').on('created', (notification: any) => pushed.push(notification))
    const orderIds = await placeOrders(20, buyer.token)
    // One worker from here on, killed as soon as it has written the first notification, the others on their way.
    await deployment.killWorker()
    const cancelling = Promise.all(
      orderIds.map((orderId) =>
        deployment.call('PATCH', `/orders/${orderId}`, { status: 'cancelled' }, buyer.token)
      )
    )
    await eventually(
      'a first notification',
      async () => (await notificationsOf(orderIds, 'orders.cancelled')).length > 0,
      30_000
    )
    await deployment.killWorker()
    // What the killed worker committed: its pushes (sent after each commit) may have died with it.
    const beforeKill = new Set(
      (await notificationsOf(orderIds, 'orders.cancelled')).map((notification) => notification.data.orderId)
    )
    for (const cancelled of await cancelling)
      assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body))
    await deployment.addWorker()
    // NATS redelivers what the killed worker had not acknowledged (after its ack wait, 30 s).
    await eventually(
      'a notification for every order after the restart',
      async () => (await notificationsOf(orderIds, 'orders.cancelled')).length >= 20,
      90_000
    )
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const notifications = await notificationsOf(orderIds, 'orders.cancelled')
    const perOrder = new Map<number, number>()
    for (const notification of notifications)
      perOrder.set(notification.data.orderId, (perOrder.get(notification.data.orderId) ?? 0) + 1)
    assert.deepEqual(
      [...perOrder.entries()].filter(([, count]) => count !== 1),
      [],
      'one notification per order'
    )
    assert.equal(perOrder.size, 20)
    // Written by the workers, pushed by the API process to the owner's socket (through Redis): each one the
    // restarted worker wrote, and never one twice. A push is sent after its commit, so those the killed worker
    // committed last may be lost with it (realtime is at most once; the notifications themselves are there).
    const afterRestart = orderIds.filter((orderId) => !beforeKill.has(orderId))
    const pushedOrders = () => pushed.map((notification) => notification.data.orderId)
    await eventually(
      'the pushes of the restarted worker',
      async () => afterRestart.every((orderId) => pushedOrders().includes(orderId)),
      10_000
    )
    assert.equal(new Set(pushedOrders()).size, pushed.length, 'no notification pushed twice')
    assert.ok(pushedOrders().every((orderId) => orderIds.includes(orderId)))
  })
})
