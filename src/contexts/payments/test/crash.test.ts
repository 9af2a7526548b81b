import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import config from 'config'
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
import { eventually } from '../../../../test/helpers/outbox'
import { SIMULATED_LEDGER } from '../simulated'

const ADMIN = { email: 'payments-admin@example.com', password: 'payments admin password' }
const ADDRESS = { line1: '1 Payment Street', city: 'Seoul', country: 'KR' }

/**
 * The crash the two phases are for, with real processes on one PostgreSQL database: the API is killed with
 * `kill -9` while the provider holds a `sim_timeout` charge it has taken, so the payment is left pending with
 * nobody to record the answer. Two `npm run worker` processes then reconcile it at once.
 */
describeOnPostgres(
  'payments: an API killed during the provider call, reconciled by two workers',
  function () {
    this.timeout(180_000)
    const id = randomUUID().slice(0, 8)
    let database: Awaited<ReturnType<typeof freshDatabase>>
    let db: Database
    let env: NodeJS.ProcessEnv
    let server: Started | undefined
    const workers: Omit<Started, 'url'>[] = []

    const call = async (method: string, path: string, body?: unknown, token?: string) => {
      const response = await fetch(`${server!.url}${path}`, {
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
      (await call('POST', '/authentication', { strategy: 'local', email, password })).body
        .accessToken as string

    before(async () => {
      database = await freshDatabase(config.get<string>('database.url'), 'payments')
      env = {
        ...baseEnv(),
        DATABASE_URL: database.url,
        // The API runs no jobs: only the workers started after the crash may reconcile.
        WORKERS: 'off',
        // The simulated provider answers a sim_timeout charge after twice this: time enough to kill the API.
        PAYMENT_PROVIDER_TIMEOUT_MS: '3000',
        PAYMENT_RECONCILE_AFTER_SECONDS: '1',
        PAYMENT_RECONCILE_INTERVAL_MS: '200',
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password
      }
      server = await startProcess(env)
      db = await connectDatabase({ url: database.url, dataDir: MEMORY, acquireConnectionTimeout: 5000 })
    })

    after(async () => {
      for (const worker of workers) await killProcess(worker.child)
      if (server) await stopProcess(server.child)
      await db?.close()
      await database?.drop()
    })

    it('captures the payment exactly once: one charge, one capture event, the order paid, stock reserved once', async () => {
      const admin = await login(ADMIN.email, ADMIN.password)
      const product = await call(
        'POST',
        '/products',
        { sku: `crash-${id}`, name: 'Crash mug', priceCents: 2500, currency: 'USD', status: 'active' },
        admin
      )
      assert.equal(product.status, 201, JSON.stringify(product.body))
      const receipt = { productId: product.body.id, kind: 'receive', quantity: 10, reason: 'test stock' }
      assert.equal((await call('POST', '/inventory', receipt, admin)).status, 201)
      const email = `crash-${id}@example.com`
      await call('POST', '/users', { email, password: 'customer password', name: 'Crash' })
      const customer = await login(email, 'customer password')
      const order = await call(
        'POST',
        '/orders',
        { items: [{ productId: product.body.id, quantity: 2 }], shippingAddress: ADDRESS },
        customer
      )
      assert.equal(order.status, 201, JSON.stringify(order.body))

      // The charge is taken at the provider; the API dies before its answer comes.
      const paying = call(
        'POST',
        '/payments',
        { orderId: order.body.id, paymentMethod: 'sim_timeout' },
        customer
      )
      paying.catch(() => undefined)
      await eventually(
        'the provider to take the charge',
        async () => !!(await db.knex(SIMULATED_LEDGER).first())
      )
      await killProcess(server!.child)
      server = undefined
      await assert.rejects(paying, 'the request died with its process')
      const [payment] = await db.knex('payments').where({ orderId: order.body.id })
      assert.equal(payment.status, 'pending', 'committed before the call, never answered')

      workers.push(await startWorker(env), await startWorker(env))
      await eventually('a worker to capture the payment', async () => {
        const now = await db.knex('payments').where({ id: payment.id }).first()
        return now.status === 'captured'
      })
      // Several more runs of both reconcilers: nothing more happens.
      await new Promise((resolve) => setTimeout(resolve, 1500))

      const settled = await db.knex('payments').where({ id: payment.id }).first()
      assert.equal(settled.capturedCents, 5000)
      assert.equal(settled.version, payment.version + 1, 'recorded once')
      const charges = await db.knex(SIMULATED_LEDGER).where({ idempotencyKey: `payment-${payment.id}` })
      assert.equal(charges.length, 1)
      assert.equal(charges[0].providerRef, settled.providerRef)
      assert.equal((await db.knex('orders').where({ id: order.body.id }).first()).status, 'paid')
      const events = await db
        .knex('outbox_events')
        .whereIn('type', ['payments.captured', 'orders.paid'])
        .whereIn('subject', [String(payment.id), String(order.body.id)])
        .pluck('type')
      assert.deepEqual(events.sort(), ['orders.paid', 'payments.captured'], 'one of each')
      const history = await db.knex('order_history').where({ orderId: order.body.id }).pluck('toStatus')
      assert.deepEqual(history.sort(), ['paid', 'pending'])
      const moves = await db.knex('inventory').where({ orderId: order.body.id }).pluck('kind')
      assert.deepEqual(moves, ['reserve'])
      assert.equal((await db.knex('products').where({ id: product.body.id }).first()).stock, 8)
    })
  }
)
