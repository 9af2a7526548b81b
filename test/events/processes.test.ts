import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import config from 'config'
import { connectDatabase, MEMORY, type Database } from '../../src/database/connect'
import { describeOnPostgres, freshDatabase } from '../helpers/postgres'
import {
  baseEnv,
  killProcess,
  startProcess,
  startWorker,
  stopProcess,
  type Started
} from '../helpers/process'
import { deleteStream, NATS_URL, streamEvents } from '../helpers/jetstream'
import { eventually } from '../helpers/outbox'

const ADMIN = { email: 'events-admin@example.com', password: 'events admin password' }
const ADDRESS = { line1: '1 Event Street', city: 'Seoul', country: 'KR' }

/**
 * The deployment of docs/events.md with real processes: an API with WORKERS=off and `npm run worker`, on one
 * PostgreSQL database and NATS JetStream (a stream of this test's own).
 */
describeOnPostgres('event-driven core across processes (API WORKERS=off, npm run worker, NATS)', function () {
  this.timeout(240_000)
  const id = randomUUID().slice(0, 8)
  const stream = `IAPI_${id}`
  let database: Awaited<ReturnType<typeof freshDatabase>>
  let db: Database
  let env: NodeJS.ProcessEnv
  let server: Started
  const workers: Omit<Started, 'url'>[] = []
  const orderIds: number[] = []
  let adminToken: string
  let customers: string[] = []

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
  const unpublished = async () =>
    Number((await db.knex('outbox_events').whereNull('publishedAt').count('* as n'))[0].n)

  before(async () => {
    database = await freshDatabase(config.get<string>('database.url'), 'events')
    env = {
      ...baseEnv(),
      DATABASE_URL: database.url,
      NATS_URL,
      NATS_STREAM: stream,
      NATS_SUBJECT_PREFIX: `iapi-${id}`,
      WORKERS: 'off',
      EVENTS_RELAY_INTERVAL_MS: '50',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password
    }
    server = await startProcess(env)
    db = await connectDatabase({ url: database.url, dataDir: MEMORY, acquireConnectionTimeout: 5000 })
    adminToken = await login(ADMIN.email, ADMIN.password)
    customers = []
    for (let n = 0; n < 5; n++) {
      const email = `events-${id}-${n}@example.com`
      const registered = await call('POST', '/users', { email, password: 'customer password', name: `C${n}` })
      assert.equal(registered.status, 201, JSON.stringify(registered.body))
      customers.push(await login(email, 'customer password'))
    }
  })

  after(async () => {
    for (const worker of workers) await killProcess(worker.child)
    if (server) await stopProcess(server.child)
    await db?.close()
    await deleteStream(stream)
    await database?.drop()
  })

  it('keeps events in the outbox while no worker runs, and the worker publishes them', async () => {
    const product = await call(
      'POST',
      '/products',
      { sku: `EV-${id}`, name: 'Event product', priceCents: 1200, currency: 'USD', status: 'active' },
      adminToken
    )
    assert.equal(product.status, 201, JSON.stringify(product.body))
    const stock = await call(
      'POST',
      '/inventory',
      { productId: product.body.id, kind: 'receive', quantity: 10_000, reason: 'events test' },
      adminToken
    )
    assert.equal(stock.status, 201, JSON.stringify(stock.body))
    assert.ok((await unpublished()) >= 2, 'WORKERS=off: the API process publishes nothing itself')
    workers.push(await startWorker(env))
    await eventually('the worker to publish the outbox', async () => (await unpublished()) === 0)
    const types = (await streamEvents(stream)).map(({ event }) => event.type)
    assert.ok(types.includes('products.created') && types.includes('inventory.created'), types.join())
  })

  it('a burst of concurrent orders publishes exactly one orders.created per order', async () => {
    const product = await db
      .knex('products')
      .where({ sku: `EV-${id}` })
      .first()
    const placed = await Promise.all(
      Array.from({ length: 30 }, (_, n) =>
        call(
          'POST',
          '/orders',
          { items: [{ productId: product.id, quantity: 1 }], shippingAddress: ADDRESS },
          customers[n % 5]
        )
      )
    )
    for (const order of placed) assert.equal(order.status, 201, JSON.stringify(order.body))
    orderIds.push(...placed.map((order) => order.body.id))
    await eventually('all published', async () => (await unpublished()) === 0)
    const created = (await streamEvents(stream)).filter(({ event }) => event.type === 'orders.created')
    assert.deepEqual(
      created.map(({ event }) => Number(event.subject)).sort((a, b) => a - b),
      [...orderIds].sort((a, b) => a - b)
    )
    for (const { msgId, subject, event } of created) {
      assert.equal(msgId, event.id)
      assert.equal(subject, `iapi-${id}.orders.created`)
      assert.equal(event.data.items.length, 1)
    }
  })

  it('a worker killed with kill -9 mid-stream: after a restart no event is missing, none published twice', async () => {
    const cancelling = Promise.all(
      orderIds.map((orderId, n) =>
        call('PATCH', `/orders/${orderId}`, { status: 'cancelled' }, customers[n % 5])
      )
    )
    // Killed as soon as it has published the first cancellation, while the others are being written.
    const cancellationsPublished = async () =>
      Number(
        (
          await db
            .knex('outbox_events')
            .where({ type: 'orders.cancelled' })
            .whereNotNull('publishedAt')
            .count('* as n')
        )[0].n
      )
    await eventually('a first cancellation published', async () => (await cancellationsPublished()) > 0)
    await killProcess(workers.pop()!.child)
    for (const cancelled of await cancelling)
      assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body))
    workers.push(await startWorker(env))
    await eventually('all published after the restart', async () => (await unpublished()) === 0, 30_000)

    const outbox = await db.knex('outbox_events').orderBy('position')
    const published = await streamEvents(stream)
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
