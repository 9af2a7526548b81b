import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import config from 'config'
import { feathers, socketio, authentication as authenticationClient } from '@feathersjs/client'
import { io, type Socket } from 'socket.io-client'
import { connectDatabase, MEMORY, type Database } from '../../../database/connect'
import { describeOnPostgres, freshDatabase } from '../../../../test/helpers/postgres'
import {
  baseEnv,
  killProcess,
  startProcess,
  startWorker,
  stopProcess,
  type Started
} from '../../../../test/helpers/process'
import { deleteStream, NATS_URL } from '../../../../test/helpers/jetstream'
import { eventually } from '../../../../test/helpers/outbox'
import { privateRedis } from '../../../../test/helpers/redis'

const ADMIN = { email: 'notify-admin@example.com', password: 'notify admin password' }
const ADDRESS = { line1: '1 Notify Street', city: 'Seoul', country: 'KR' }
const HOUR = 60 * 60 * 1000

/**
 * Expiry and notifications in the deployment of docs/events.md with real processes: an API with WORKERS=off,
 * two `npm run worker` processes, one PostgreSQL, NATS JetStream (a stream of this test's own) and Redis (which
 * carries the notifications the workers write to the API's sockets).
 */
describeOnPostgres('expiry and notifications across processes (API WORKERS=off, two workers)', function () {
  this.timeout(240_000)
  const id = randomUUID().slice(0, 8)
  const stream = `NOTIFY_${id}`
  let database: Awaited<ReturnType<typeof freshDatabase>>
  let redis: Awaited<ReturnType<typeof privateRedis>>
  let db: Database
  let env: NodeJS.ProcessEnv
  let server: Started
  const workers: Omit<Started, 'url'>[] = []
  const sockets: Socket[] = []
  let adminToken: string
  let productId: number

  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(token && { authorization: `Bearer ${token}` })
      },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    return { status: response.status, body: await response.json().catch(() => undefined) }
  }
  const login = async (email: string, password: string) =>
    (await call('POST', '/authentication', { strategy: 'local', email, password })).body.accessToken as string
  const customer = async (n: number) => {
    const email = `notify-${id}-${n}@example.com`
    const registered = await call('POST', '/users', { email, password: 'customer password', name: `C${n}` })
    assert.equal(registered.status, 201, JSON.stringify(registered.body))
    return { id: registered.body.id as number, token: await login(email, 'customer password') }
  }
  const placeOrders = (count: number, token: string) =>
    Promise.all(
      Array.from({ length: count }, async () => {
        const placed = await call(
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
    db.knex('notifications').where({ type }).whereRaw(`("data"->>'orderId')::int = any(?)`, [orderIds])
  const stock = async () => (await db.knex('products').where({ id: productId }).first()).stock as number

  before(async () => {
    ;[database, redis] = await Promise.all([
      freshDatabase(config.get<string>('database.url'), 'notify'),
      privateRedis()
    ])
    env = {
      ...baseEnv(),
      DATABASE_URL: database.url,
      NATS_URL,
      NATS_STREAM: stream,
      NATS_SUBJECT_PREFIX: `notify-${id}`,
      REDIS_URL: redis.url,
      WORKERS: 'off',
      EVENTS_RELAY_INTERVAL_MS: '50',
      // Orders are made old by hand: the workers then find them at their next run, a few times a second.
      ORDER_PENDING_TTL: '30m',
      ORDER_EXPIRY_INTERVAL_MS: '200',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password
    }
    server = await startProcess(env)
    db = await connectDatabase({ url: database.url, dataDir: MEMORY, acquireConnectionTimeout: 5000 })
    adminToken = await login(ADMIN.email, ADMIN.password)
    const product = await call(
      'POST',
      '/products',
      { sku: `NT-${id}`, name: 'Notify product', priceCents: 1500, currency: 'USD', status: 'active' },
      adminToken
    )
    assert.equal(product.status, 201, JSON.stringify(product.body))
    productId = product.body.id
    const received = await call(
      'POST',
      '/inventory',
      { productId, kind: 'receive', quantity: 1000, reason: 'notify test' },
      adminToken
    )
    assert.equal(received.status, 201, JSON.stringify(received.body))
    workers.push(await startWorker(env), await startWorker(env))
  })

  after(async () => {
    sockets.forEach((socket) => socket.close())
    for (const worker of workers) await killProcess(worker.child)
    if (server) await stopProcess(server.child)
    await db?.close()
    await deleteStream(stream)
    await database?.drop()
    await redis?.kill()
  })

  it('two workers expire each old order once: stock, history, event and notification once each', async () => {
    const buyer = await customer(1)
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

  it('a worker killed with kill -9 mid-stream: after a restart each order’s notification exists once, and reaches the API’s socket', async () => {
    const buyer = await customer(2)
    const socket = io(server.url, { transports: ['websocket'], forceNew: true })
    sockets.push(socket)
    const client = feathers()
      .configure(socketio(socket))
      .configure(authenticationClient({ storage: undefined as any }))
    await client.authenticate({ strategy: 'jwt', accessToken: buyer.token })
    const pushed: any[] = []
    client.service('notifications').on('created', (notification: any) => pushed.push(notification))
    const orderIds = await placeOrders(20, buyer.token)
    // One worker from here on, killed as soon as it has written the first notification, the others on their way.
    await killProcess(workers.pop()!.child)
    const cancelling = Promise.all(
      orderIds.map((orderId) => call('PATCH', `/orders/${orderId}`, { status: 'cancelled' }, buyer.token))
    )
    await eventually(
      'a first notification',
      async () => (await notificationsOf(orderIds, 'orders.cancelled')).length > 0,
      30_000
    )
    await killProcess(workers.pop()!.child)
    for (const cancelled of await cancelling)
      assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body))
    workers.push(await startWorker(env))
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
    // Written by the workers, pushed by the API process to the owner's socket (through Redis).
    await eventually('the pushes', async () => pushed.length >= 20, 10_000)
    assert.deepEqual(new Set(pushed.map((notification) => notification.data.orderId)), new Set(orderIds))
  })
})
