import assert from 'node:assert/strict'
import { describeOnPostgres } from '../../../../test/helpers/postgres'
import {
  ADDRESS,
  DEPLOYMENT_ADMIN,
  startDeployment,
  type Deployment
} from '../../../../test/helpers/deployment'
import { eventually } from '../../../../test/helpers/outbox'
import { SIMULATED_LEDGER } from '../simulated'

/**
 * The crash the two phases are for, with real processes on one PostgreSQL database: the API is killed with
 * `kill -9` while the provider holds a `sim_timeout` charge it has taken, so the payment is left pending with
 * nobody to record the answer. Two `npm run worker` processes then reconcile it at once.
 */
describeOnPostgres(
  'payments: an API killed during the provider call, reconciled by two workers',
  function () {
    this.timeout(180_000)
    let deployment: Deployment

    before(async () => {
      deployment = await startDeployment('payments', {
        env: {
          // The API runs no jobs (WORKERS=off): only the workers started after the crash may reconcile.
          // The simulated provider answers a sim_timeout charge after twice this: time enough to kill the API.
          PAYMENT_PROVIDER_TIMEOUT_MS: '3000',
          PAYMENT_RECONCILE_AFTER_SECONDS: '1',
          PAYMENT_RECONCILE_INTERVAL_MS: '200'
        }
      })
    })

    after(() => deployment?.stop())

    it('captures the payment exactly once: one charge, one capture event, the order paid, stock reserved once', async () => {
      const { call, db } = deployment
      const admin = await deployment.login(DEPLOYMENT_ADMIN.email, DEPLOYMENT_ADMIN.password)
      const productId = await deployment.product(admin, { priceCents: 2500, stock: 10 })
      const { token: customer } = await deployment.customer()
      const order = await call(
        'POST',
        '/orders',
        { items: [{ productId, quantity: 2 }], shippingAddress: ADDRESS },
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
      await deployment.killApi()
      await assert.rejects(paying, 'the request died with its process')
      const [payment] = await db.knex('payments').where({ orderId: order.body.id })
      assert.equal(payment.status, 'pending', 'committed before the call, never answered')

      await Promise.all([deployment.addWorker(), deployment.addWorker()])
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
      assert.equal((await db.knex('products').where({ id: productId }).first()).stock, 8)
    })
  }
)
