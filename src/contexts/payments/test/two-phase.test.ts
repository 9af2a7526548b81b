import assert from 'node:assert/strict'
import { api, testServer, userWithRoles, type TestUser } from '../../../../test/helpers/server'
import { capturedPayment, pendingOrder } from '../../../../test/helpers/commerce'
import { outboxOf } from '../../../../test/helpers/outbox'
import { CAPTURED_AFTER_CANCELLATION } from '../pay-captured-order'
import { chargeKey, providerFor, refundKey, type PaymentProvider } from '../provider'
import { reconcile } from '../reconcile'
import { INTERRUPTED } from '../settle-payment'
import { SIMULATED_LEDGER } from '../simulated'

// The provider is asked after the commit (docs/events-payments.md). The shared test server's provider waits
// TIMEOUT_MS here, so that sim_timeout costs a fraction of a second; the reconciler is called directly, with no
// age limit, rather than waited for.
const TIMEOUT_MS = 300

describe('payments: two phases, the provider outside any transaction', () => {
  let app: any
  let saved: Record<string, unknown>
  let customer: TestUser
  let admin: TestUser
  let support: TestUser
  let provider: PaymentProvider
  const restore: Array<() => void> = []

  before(async () => {
    app = (await testServer()).app
    saved = app.get('payments')
    app.set('payments', { ...saved, providerTimeoutMs: TIMEOUT_MS })
    provider = providerFor(app)
    ;[customer, admin, support] = await Promise.all([
      userWithRoles(['customer']),
      userWithRoles(['admin']),
      userWithRoles(['support'])
    ])
  })
  afterEach(() => restore.splice(0).forEach((undo) => undo()))
  after(() => app.set('payments', saved))

  /** Replaces one provider method for this test. */
  const stub = <K extends 'cancel' | 'refund'>(name: K, replacement: PaymentProvider[K]) => {
    const original = provider[name]
    provider[name] = replacement
    restore.push(() => (provider[name] = original))
    return original.bind(provider) as PaymentProvider[K]
  }

  const pay = (orderId: number, paymentMethod: string) =>
    api('POST', '/payments', { token: customer.token, body: { orderId, paymentMethod } })
  const refund = (paymentId: number, amountCents: number) =>
    api('POST', '/refunds', { token: support.token, body: { paymentId, amountCents, reason: 'test' } })
  const read = async (path: string) => (await api('GET', path, { token: admin.token })).body
  const ledger = (key: string) => app.get('knex')(SIMULATED_LEDGER).where({ idempotencyKey: key })
  const ledgerOf = (paymentId: number) =>
    app
      .get('knex')(SIMULATED_LEDGER)
      .where({ idempotencyKey: chargeKey(paymentId) })
      .orWhereIn(
        'idempotencyKey',
        app.get('knex')('refunds').where({ paymentId }).select(app.get('knex').raw(`'refund-' || id`))
      )
      .orderBy('createdAt')
  const transitionsOf = async (orderId: number) =>
    (await read(`/order-history?orderId=${orderId}&$sort[createdAt]=1`)).data.map((h: any) => h.toStatus)
  const stockMovesOf = async (orderId: number) =>
    (await read(`/inventory?orderId=${orderId}&$sort[createdAt]=1`)).data.map((m: any) => m.kind)
  const everything = () => reconcile(app, { olderThanSeconds: 0 })

  it('charges with the payment id as the idempotency key: one charge in the provider ledger', async () => {
    const order = await pendingOrder(customer)
    const { status, body } = await pay(order.id, 'sim_succeed')
    assert.equal(status, 201, JSON.stringify(body))
    assert.equal(body.status, 'captured')
    const rows = await ledger(chargeKey(body.id))
    assert.equal(rows.length, 1)
    assert.equal(rows[0].status, 'captured')
    assert.equal(rows[0].providerRef, body.providerRef)
    assert.equal(rows[0].amountCents, 5000)
  })

  it('holds no lock while the provider answers: the order can change while its charge is under way', async () => {
    const order = await pendingOrder(customer)
    const started = Date.now()
    const paying = pay(order.id, 'sim_timeout').then((answer) => ({ ...answer, at: Date.now() }))
    await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS / 3))
    const noted = await api('PATCH', `/orders/${order.id}`, {
      token: customer.token,
      body: { note: 'leave at the door' }
    })
    const notedAt = Date.now()
    assert.equal(noted.status, 200, JSON.stringify(noted.body))
    const paid = await paying
    assert.ok(notedAt < paid.at, 'the order row was free while the provider was asked')
    assert.ok(paid.at - started >= TIMEOUT_MS, 'the request waited for the provider, up to its timeout')
    assert.equal(paid.status, 201)
    assert.equal(paid.body.status, 'pending', 'no answer in time: the payment stays pending')
  })

  it('sim_timeout: captured at the provider, pending here, captured exactly once by the reconciler', async () => {
    const order = await pendingOrder(customer)
    const { body: payment } = await pay(order.id, 'sim_timeout')
    assert.equal(payment.status, 'pending')
    assert.equal(payment.providerRef, null)
    assert.equal((await ledger(chargeKey(payment.id)))[0].status, 'captured', 'the provider took it')
    assert.equal((await read(`/orders/${order.id}`)).status, 'pending')
    assert.equal((await pay(order.id, 'sim_succeed')).status, 409, 'the pending payment holds the order')

    await everything()
    const settled = await read(`/payments/${payment.id}`)
    assert.equal(settled.status, 'captured')
    assert.equal(settled.capturedCents, 5000)
    assert.equal(settled.providerRef, (await ledger(chargeKey(payment.id)))[0].providerRef)
    assert.equal((await read(`/orders/${order.id}`)).status, 'paid')

    // Again, and by two reconcilers at once (two workers): nothing more happens.
    await Promise.all([everything(), everything()])
    assert.equal((await read(`/payments/${payment.id}`)).version, settled.version)
    assert.equal((await ledgerOf(payment.id)).length, 1, 'one charge at the provider')
    assert.deepEqual(await transitionsOf(order.id), ['pending', 'paid'])
    assert.deepEqual(await stockMovesOf(order.id), ['reserve'], 'stock reserved once, never released')
    const types = async (resource: string, id: number) =>
      (await outboxOf(resource, id)).map((event: any) => event.type)
    assert.deepEqual(await types('payments', payment.id), [
      'payments.created',
      'payments.patched',
      'payments.captured'
    ])
    assert.deepEqual(
      (await types('orders', order.id)).filter((type) => type !== 'orders.patched'),
      ['orders.created', 'orders.paid']
    )
  })

  it('a crash before the provider was asked: the reconciler closes the key, so a late charge takes nothing', async () => {
    const order = await pendingOrder(customer)
    // What a crash right after the first commit leaves: a pending payment the provider never heard of.
    const payment = await app.service('payments').create(
      {
        orderId: order.id,
        paymentMethod: 'sim_succeed',
        provider: 'simulated',
        status: 'pending',
        amountCents: order.totalCents,
        currency: order.currency
      },
      { command: 'test: a crash after the commit' }
    )
    await everything()
    const failed = await read(`/payments/${payment.id}`)
    assert.equal(failed.status, 'failed')
    assert.equal(failed.failureReason, INTERRUPTED)
    const late = await provider.charge({
      idempotencyKey: chargeKey(payment.id),
      paymentMethod: 'sim_succeed',
      amountCents: order.totalCents,
      currency: order.currency
    })
    assert.equal(late.status, 'cancelled', 'the call that was in flight finds the key closed')
    assert.deepEqual(
      (await ledgerOf(payment.id)).map((row: any) => row.status),
      ['cancelled']
    )
    assert.equal((await read(`/orders/${order.id}`)).status, 'pending')
    assert.equal((await pay(order.id, 'sim_succeed')).body.status, 'captured', 'the customer can pay again')
  })

  it("releases a cancelled order's pending charge at the provider before the cancellation answers", async () => {
    const order = await pendingOrder(customer)
    const { body: payment } = await pay(order.id, 'sim_async')
    assert.equal(payment.status, 'pending')
    assert.match(payment.providerRef, /^simpay_/)
    const cancelled = await api('PATCH', `/orders/${order.id}`, {
      token: customer.token,
      body: { status: 'cancelled' }
    })
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body))
    assert.equal((await read(`/payments/${payment.id}`)).status, 'cancelled')
    assert.equal((await ledger(chargeKey(payment.id)))[0].status, 'cancelled')
  })

  it('the reconciler releases the open payment of a cancelled order when the release failed', async () => {
    const order = await pendingOrder(customer)
    const { body: payment } = await pay(order.id, 'sim_async')
    stub('cancel', async () => {
      throw new Error('the provider is down')
    })
    const cancelled = await api('PATCH', `/orders/${order.id}`, {
      token: customer.token,
      body: { status: 'cancelled' }
    })
    assert.equal(cancelled.status, 200, 'the cancellation stands without the provider')
    assert.equal((await read(`/payments/${payment.id}`)).status, 'pending')
    restore.splice(0).forEach((undo) => undo())
    await everything()
    assert.equal((await read(`/payments/${payment.id}`)).status, 'cancelled')
    assert.equal((await ledger(chargeKey(payment.id)))[0].status, 'cancelled')
  })

  it('refunds in full a charge the provider took while its order was being cancelled', async () => {
    const order = await pendingOrder(customer)
    const { body: payment } = await pay(order.id, 'sim_timeout')
    assert.equal(payment.status, 'pending')
    const cancelled = await api('PATCH', `/orders/${order.id}`, {
      token: customer.token,
      body: { status: 'cancelled' }
    })
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body))
    const settled = await read(`/payments/${payment.id}`)
    assert.equal(settled.status, 'captured', 'the release found the charge taken')
    assert.equal(settled.refundedCents, 5000)
    const refunds = (await read(`/refunds?paymentId=${payment.id}`)).data
    assert.equal(refunds.length, 1)
    assert.equal(refunds[0].reason, CAPTURED_AFTER_CANCELLATION)
    assert.equal(refunds[0].status, 'succeeded')
    const after = await read(`/orders/${order.id}`)
    assert.equal(after.status, 'refunded')
    assert.equal(after.refundedCents, 5000)
    assert.deepEqual(await transitionsOf(order.id), ['pending', 'cancelled', 'refunded'])
    assert.deepEqual(await stockMovesOf(order.id), ['reserve', 'release'], 'stock released once')
    assert.deepEqual(
      (await ledgerOf(payment.id)).map((row: any) => `${row.kind} ${row.status} ${row.amountCents}`),
      ['charge captured 5000', 'refund succeeded 5000']
    )
    assert.deepEqual(
      (await outboxOf('refunds', refunds[0].id)).map((event: any) => event.type),
      ['refunds.created', 'refunds.patched', 'refunds.succeeded']
    )
  })

  it('a refund the provider does not answer stays pending, counts against the rest, and is settled once', async () => {
    const { order, payment } = await capturedPayment(customer)
    const original = stub('refund', async (request) => {
      await original(request)
      return new Promise(() => undefined) // given back, but the answer never comes
    })
    const first = await refund(payment.id, 2000)
    assert.equal(first.status, 201, JSON.stringify(first.body))
    assert.equal(first.body.status, 'pending')
    assert.equal((await read(`/payments/${payment.id}`)).refundedCents, 0, 'not given back as far as we know')
    const tooMuch = await refund(payment.id, 3001)
    assert.equal(tooMuch.status, 409)
    assert.equal(tooMuch.body.data.refundableCents, 3000)
    assert.equal(tooMuch.body.data.pendingCents, 2000)
    restore.splice(0).forEach((undo) => undo())

    await Promise.all([everything(), everything()])
    const settled = await read(`/refunds/${first.body.id}`)
    assert.equal(settled.status, 'succeeded')
    assert.match(settled.providerRef, /^simref_/)
    assert.equal((await read(`/payments/${payment.id}`)).refundedCents, 2000)
    const after = await read(`/orders/${order.id}`)
    assert.equal(after.status, 'partially_refunded')
    assert.equal(after.refundedCents, 2000)
    assert.equal((await ledger(refundKey(first.body.id))).length, 1, 'given back once')
  })

  it('a refund the provider never heard of (a crash) is made by the reconciler, once', async () => {
    const { payment } = await capturedPayment(customer)
    stub('refund', async () => {
      throw new Error('connection refused')
    })
    const { body: made } = await refund(payment.id, 5000)
    assert.equal(made.status, 'pending')
    assert.equal((await ledger(refundKey(made.id))).length, 0)
    restore.splice(0).forEach((undo) => undo())
    await Promise.all([everything(), everything()])
    assert.equal((await read(`/refunds/${made.id}`)).status, 'succeeded')
    assert.equal((await ledger(refundKey(made.id))).length, 1)
    assert.equal((await read(`/payments/${payment.id}`)).refundedCents, 5000)
  })

  it('records a refund the provider refuses as failed, and changes nothing else', async () => {
    const { order, payment } = await capturedPayment(customer)
    stub('refund', async () => ({
      status: 'failed',
      providerRef: 'simref_refused',
      failureReason: 'the card account is closed'
    }))
    const refused = await refund(payment.id, 5000)
    assert.equal(refused.status, 201)
    assert.equal(refused.body.status, 'failed')
    assert.equal(refused.body.failureReason, 'the card account is closed')
    assert.equal((await read(`/payments/${payment.id}`)).refundedCents, 0)
    assert.equal((await read(`/orders/${order.id}`)).status, 'paid')
    restore.splice(0).forEach((undo) => undo())
    const again = await refund(payment.id, 5000)
    assert.equal(again.body.status, 'succeeded', 'the whole amount was refundable again')
  })

  it('is a worker job on the configured interval', async () => {
    const { domain } = await import('../../index')
    assert.equal(domain.jobs!.reconcilePayments.intervalMs(app), saved.reconcileIntervalMs)
  })
})
