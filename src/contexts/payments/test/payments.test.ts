import assert from 'node:assert/strict'
import { feathers, socketio, authentication as authenticationClient } from '@feathersjs/client'
import { io, type Socket } from 'socket.io-client'
import { api, testServer, unique, userWithRoles, type TestUser } from '../../../../test/helpers/server'
import { pendingOrder } from '../../../../test/helpers/commerce'
import { signatureHeader, verifySignature } from '../signature'
import { assertDeployable } from '../../../configuration'

const pay = (user: TestUser, orderId: number, paymentMethod: string) =>
  api('POST', '/payments', { token: user.token, body: { orderId, paymentMethod } })

const webhookSecret = async () => (await testServer()).app.get('payments').webhookSecret

/** Posts an event to the webhook, signed with the configured secret unless told otherwise. */
const deliver = async (
  event: unknown,
  { timestamp, header, secret }: { timestamp?: number; header?: string | null; secret?: string } = {}
) => {
  const body = JSON.stringify(event)
  const signature =
    header === undefined ? signatureHeader(secret ?? (await webhookSecret()), body, timestamp) : header
  return api('POST', '/payments/webhook', {
    body,
    headers: signature === null ? {} : { 'x-signature': signature }
  })
}

const eventId = () => unique('evt')
/** What a capture of the default 5,000 USD test order says it took. */
const paid = { amountCents: 5000, currency: 'USD' }

describe('payments: paying an order (REST)', () => {
  let customer: TestUser
  let other: TestUser
  let admin: TestUser
  let support: TestUser

  before(async () => {
    ;[customer, other, admin, support] = await Promise.all([
      userWithRoles(['customer']),
      userWithRoles(['customer']),
      userWithRoles(['admin']),
      userWithRoles(['support'])
    ])
  })

  it('captures with sim_succeed and the order becomes paid', async () => {
    const order = await pendingOrder(customer)
    const { status, body } = await pay(customer, order.id, 'sim_succeed')
    assert.equal(status, 201, JSON.stringify(body))
    assert.equal(body.status, 'captured')
    assert.equal(body.orderId, order.id)
    assert.equal(body.userId, customer.id)
    assert.equal(body.amountCents, 5000)
    assert.equal(body.currency, 'USD')
    assert.equal(body.capturedCents, 5000)
    assert.equal(body.refundedCents, 0)
    assert.equal(body.provider, 'simulated')
    assert.match(body.providerRef, /^simpay_/)
    assert.equal(body.failureReason, null)
    const seen = await api('GET', `/orders/${order.id}`, { token: customer.token })
    assert.equal(seen.body.status, 'paid')
    assert.deepEqual((await api('GET', `/payments/${body.id}`, { token: customer.token })).body, body)
  })

  it('records a declined payment with sim_fail and leaves the order pending; a later payment can succeed', async () => {
    const order = await pendingOrder(customer)
    const failed = await pay(customer, order.id, 'sim_fail')
    assert.equal(failed.status, 201)
    assert.equal(failed.body.status, 'failed')
    assert.equal(failed.body.capturedCents, 0)
    assert.match(failed.body.failureReason, /declined/)
    assert.equal((await api('GET', `/orders/${order.id}`, { token: customer.token })).body.status, 'pending')
    const retry = await pay(customer, order.id, 'sim_succeed')
    assert.equal(retry.status, 201)
    assert.equal(retry.body.status, 'captured')
    assert.equal((await api('GET', `/orders/${order.id}`, { token: customer.token })).body.status, 'paid')
  })

  it('keeps sim_async pending until a signed webhook captures it; then the order is paid', async () => {
    const order = await pendingOrder(customer)
    const started = await pay(customer, order.id, 'sim_async')
    assert.equal(started.status, 201)
    assert.equal(started.body.status, 'pending')
    assert.equal(started.body.capturedCents, 0)
    assert.equal((await api('GET', `/orders/${order.id}`, { token: customer.token })).body.status, 'pending')

    const second = await pay(customer, order.id, 'sim_succeed')
    assert.equal(second.status, 409, 'a second payment while one is pending')
    assert.match(second.body.message, /already has a pending payment/)

    const delivered = await deliver({
      id: eventId(),
      type: 'payment.captured',
      paymentId: started.body.id,
      ...paid
    })
    assert.equal(delivered.status, 200, JSON.stringify(delivered.body))
    assert.deepEqual(delivered.body, { received: true, paymentId: started.body.id, status: 'captured' })
    const payment = (await api('GET', `/payments/${started.body.id}`, { token: customer.token })).body
    assert.equal(payment.status, 'captured')
    assert.equal(payment.capturedCents, 5000)
    assert.equal((await api('GET', `/orders/${order.id}`, { token: customer.token })).body.status, 'paid')
  })

  it('fails a pending payment on a payment.failed webhook; the order stays pending', async () => {
    const order = await pendingOrder(customer)
    const started = (await pay(customer, order.id, 'sim_async')).body
    const delivered = await deliver({
      id: eventId(),
      type: 'payment.failed',
      paymentId: started.id,
      failureReason: 'insufficient funds'
    })
    assert.equal(delivered.status, 200)
    assert.equal(delivered.body.status, 'failed')
    const payment = (await api('GET', `/payments/${started.id}`, { token: customer.token })).body
    assert.equal(payment.status, 'failed')
    assert.equal(payment.failureReason, 'insufficient funds')
    assert.equal((await api('GET', `/orders/${order.id}`, { token: customer.token })).body.status, 'pending')
  })

  it('answers 400 naming paymentMethod for a method the provider does not accept', async () => {
    const order = await pendingOrder(customer)
    const { status, body } = await pay(customer, order.id, 'visa_4242')
    assert.equal(status, 400)
    assert.equal(body.errors[0].field, 'paymentMethod')
    assert.match(body.message, /sim_succeed, sim_fail, sim_async/)
  })

  it('never lets a client set status, amounts or owner', async () => {
    const order = await pendingOrder(customer)
    for (const extra of [
      { status: 'captured' },
      { amountCents: 1 },
      { capturedCents: 5000 },
      { userId: other.id },
      { currency: 'EUR' }
    ]) {
      const { status, body } = await api('POST', '/payments', {
        token: customer.token,
        body: { orderId: order.id, paymentMethod: 'sim_succeed', ...extra }
      })
      assert.equal(status, 400, JSON.stringify(extra))
      assert.match(body.message, /read-only/)
    }
    const payment = (await pay(customer, order.id, 'sim_succeed')).body
    for (const method of ['PATCH', 'PUT', 'DELETE']) {
      const { status } = await api(method, `/payments/${payment.id}`, {
        token: admin.token,
        body: method === 'DELETE' ? undefined : { status: 'failed' }
      })
      assert.equal(status, 405, method)
    }
  })

  it("answers 404 to a customer paying someone else's order or an order that does not exist", async () => {
    const theirs = await pendingOrder(other)
    const attempt = await pay(customer, theirs.id, 'sim_succeed')
    assert.equal(attempt.status, 404)
    assert.match(attempt.body.message, /orderId/)
    assert.equal((await pay(customer, 99_999_999, 'sim_succeed')).status, 404)
    assert.equal((await api('GET', `/orders/${theirs.id}`, { token: other.token })).body.status, 'pending')
  })

  it('answers an API key paying an order it may not read like a missing order, and pays one it may', async () => {
    const keyFor = async (scopes: object[]) =>
      (await api('POST', '/api-keys', { token: admin.token, body: { name: 'payer', scopes } })).body.key
    const payOnly = await keyFor([{ resource: 'payments', methods: ['create'] }])
    const payAndRead = await keyFor([
      { resource: 'payments', methods: ['create'] },
      { resource: 'orders', readOnly: true }
    ])
    const order = await pendingOrder(customer)
    const asKey = (key: string, orderId: number) =>
      api('POST', '/payments', {
        headers: { 'x-api-key': key },
        body: { orderId, paymentMethod: 'sim_succeed' }
      })
    const hidden = await asKey(payOnly, order.id)
    const missing = await asKey(payOnly, 987654321)
    assert.equal(hidden.status, 404, JSON.stringify(hidden.body))
    assert.deepEqual(
      { ...hidden.body, message: undefined },
      { ...missing.body, message: undefined },
      'the same answer but for the id it names'
    )
    const paid = await asKey(payAndRead, order.id)
    assert.equal(paid.status, 201, JSON.stringify(paid.body))
    assert.equal(paid.body.userId, customer.id, "the order owner's payment")
  })

  it('answers 409 to a second payment for a paid order, and to paying an order that is not pending', async () => {
    const order = await pendingOrder(customer)
    assert.equal((await pay(customer, order.id, 'sim_succeed')).body.status, 'captured')
    const again = await pay(customer, order.id, 'sim_succeed')
    assert.equal(again.status, 409)
    const cancelled = await pendingOrder(customer, 100)
    const cancel = await api('PATCH', `/orders/${cancelled.id}`, {
      token: customer.token,
      body: { status: 'cancelled' }
    })
    assert.equal(cancel.status, 200, JSON.stringify(cancel.body))
    const late = await pay(customer, cancelled.id, 'sim_succeed')
    assert.equal(late.status, 409)
    assert.match(late.body.message, /is cancelled; only a pending order can be paid/)
  })

  it("lets an admin pay any order; the payment belongs to the order's owner", async () => {
    const order = await pendingOrder(other, 1234)
    const { status, body } = await pay(admin, order.id, 'sim_succeed')
    assert.equal(status, 201)
    assert.equal(body.userId, other.id)
    assert.equal(body.amountCents, 1234)
    const mine = await api('GET', `/payments?orderId=${order.id}`, { token: other.token })
    assert.deepEqual(
      mine.body.data.map((p: any) => p.id),
      [body.id]
    )
    const notMine = await api('GET', `/payments?orderId=${order.id}`, { token: customer.token })
    assert.equal(notMine.body.total, 0)
    assert.equal((await api('GET', `/payments/${body.id}`, { token: customer.token })).status, 404)
    assert.equal((await api('GET', `/payments/${body.id}`, { token: support.token })).status, 200)
  })

  it('replays a payment retried with the same Idempotency-Key instead of paying twice', async () => {
    const order = await pendingOrder(customer)
    const request = () =>
      api('POST', '/payments', {
        token: customer.token,
        body: { orderId: order.id, paymentMethod: 'sim_succeed' },
        headers: { 'Idempotency-Key': unique('pay') }
      })
    const key = unique('pay')
    const send = () =>
      api('POST', '/payments', {
        token: customer.token,
        body: { orderId: order.id, paymentMethod: 'sim_succeed' },
        headers: { 'Idempotency-Key': key }
      })
    const first = await send()
    const retry = await send()
    assert.equal(first.status, 201)
    assert.equal(retry.status, 201)
    assert.deepEqual(retry.body, first.body)
    assert.equal((await request()).status, 409, 'a new key is a new attempt: the order is paid')
    const all = await api('GET', `/payments?orderId=${order.id}`, { token: customer.token })
    assert.equal(all.body.total, 1)
  })

  it('refuses support and anonymous callers starting payments', async () => {
    const order = await pendingOrder(customer)
    assert.equal((await pay(support, order.id, 'sim_succeed')).status, 403)
    const anonymous = await api('POST', '/payments', {
      body: { orderId: order.id, paymentMethod: 'sim_succeed' }
    })
    assert.equal(anonymous.status, 401)
  })

  it('lets only one of several concurrent payments for one order through', async () => {
    const order = await pendingOrder(customer)
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => pay(customer, order.id, i % 2 ? 'sim_async' : 'sim_succeed'))
    )
    const created = results.filter((r) => r.status === 201)
    assert.equal(created.length, 1, JSON.stringify(results.map((r) => [r.status, r.body.message])))
    assert.ok(results.every((r) => r.status === 201 || r.status === 409))
    const all = await api('GET', `/payments?orderId=${order.id}`, { token: admin.token })
    assert.equal(all.body.total, 1)
  })
})

describe('payments: the signed webhook', () => {
  let customer: TestUser
  let admin: TestUser

  before(async () => {
    ;[customer, admin] = await Promise.all([userWithRoles(['customer']), userWithRoles(['admin'])])
  })

  const asyncPayment = async () => {
    const order = await pendingOrder(customer)
    const payment = (await pay(customer, order.id, 'sim_async')).body
    assert.equal(payment.status, 'pending')
    return { order, payment }
  }
  const paymentNow = async (id: number) => (await api('GET', `/payments/${id}`, { token: admin.token })).body

  it('rejects unsigned, malformed, wrongly signed, tampered and stale deliveries with 401 and changes nothing', async () => {
    const { payment } = await asyncPayment()
    const event = { id: eventId(), type: 'payment.captured', paymentId: payment.id, ...paid }
    const body = JSON.stringify(event)
    const now = Math.floor(Date.now() / 1000)

    const unsigned = await deliver(event, { header: null })
    assert.equal(unsigned.status, 401)
    assert.match(unsigned.body.message, /Missing X-Signature/)

    const malformed = await deliver(event, { header: 'sha256=abc' })
    assert.equal(malformed.status, 401)
    assert.match(malformed.body.message, /Malformed X-Signature/)

    const wrongSecret = await deliver(event, { secret: 'not-the-configured-secret' })
    assert.equal(wrongSecret.status, 401)
    assert.match(wrongSecret.body.message, /does not match/)

    // The signature of one body on another (a changed amount or payment id) does not verify.
    const tampered = await api('POST', '/payments/webhook', {
      body: body.replace('payment.captured', 'payment.failed'),
      headers: { 'x-signature': signatureHeader(await webhookSecret(), body) }
    })
    assert.equal(tampered.status, 401)

    // Re-serialized JSON is other bytes: the signature covers the raw body.
    const spaced = await api('POST', '/payments/webhook', {
      body: JSON.stringify(event, null, 2),
      headers: { 'x-signature': signatureHeader(await webhookSecret(), body) }
    })
    assert.equal(spaced.status, 401)

    const stale = await deliver(event, { timestamp: now - 301 })
    assert.equal(stale.status, 401)
    assert.match(stale.body.message, /timestamp is 30\d s old; the tolerance is 300 s/)

    const future = await deliver(event, { timestamp: now + 3600 })
    assert.equal(future.status, 401)
    assert.match(future.body.message, /in the future/)

    const current = await paymentNow(payment.id)
    assert.equal(current.status, 'pending')
    assert.equal(current.version, payment.version)
    const events = await api('GET', `/payment-events?eventId=${event.id}`, { token: admin.token })
    assert.equal(events.body.total, 0)

    // The same event, signed properly (slightly old but within the tolerance), goes through.
    const good = await deliver(event, { timestamp: now - 200 })
    assert.equal(good.status, 200)
    assert.equal((await paymentNow(payment.id)).status, 'captured')
  })

  it('accepts any of several v1 signatures (secret rotation)', async () => {
    const { payment } = await asyncPayment()
    const event = { id: eventId(), type: 'payment.captured', paymentId: payment.id, ...paid }
    const body = JSON.stringify(event)
    const t = Math.floor(Date.now() / 1000)
    const old = signatureHeader('the-previous-secret-000000', body, t).split(',')[1]
    const current = signatureHeader(await webhookSecret(), body, t)
    const { status } = await deliver(event, {
      header: `${current.split(',')[0]},${old},${current.split(',')[1]}`
    })
    assert.equal(status, 200)
  })

  it('processes an event id once: a replay answers duplicate and changes nothing', async () => {
    const { order, payment } = await asyncPayment()
    const event = { id: eventId(), type: 'payment.captured', paymentId: payment.id, ...paid }
    assert.equal((await deliver(event)).status, 200)
    const after = await paymentNow(payment.id)
    const orderAfter = (await api('GET', `/orders/${order.id}`, { token: admin.token })).body
    assert.equal(orderAfter.status, 'paid')

    const replay = await deliver(event)
    assert.equal(replay.status, 200)
    assert.deepEqual(replay.body, { received: true, duplicate: true })
    // Even a replay claiming another outcome: the id was processed.
    const conflicting = await deliver({ ...event, type: 'payment.failed' })
    assert.deepEqual(conflicting.body, { received: true, duplicate: true })
    assert.deepEqual(await paymentNow(payment.id), after)
    assert.deepEqual((await api('GET', `/orders/${order.id}`, { token: admin.token })).body, orderAfter)
    const recorded = await api('GET', `/payment-events?eventId=${event.id}`, { token: admin.token })
    assert.equal(recorded.body.total, 1)
    assert.equal(recorded.body.data[0].outcome, 'applied')
  })

  it('records but ignores an event for a payment that is no longer pending', async () => {
    const { payment } = await asyncPayment()
    await deliver({ id: eventId(), type: 'payment.captured', paymentId: payment.id, ...paid })
    const captured = await paymentNow(payment.id)
    const late = { id: eventId(), type: 'payment.failed', paymentId: payment.id }
    const answer = await deliver(late)
    assert.equal(answer.status, 200)
    assert.match(answer.body.ignored, /already captured/)
    assert.deepEqual(await paymentNow(payment.id), captured)
    const recorded = await api('GET', `/payment-events?eventId=${late.id}`, { token: admin.token })
    assert.equal(recorded.body.data[0].outcome, 'ignored')
  })

  it('has one effect for concurrent deliveries of one event', async () => {
    const { order, payment } = await asyncPayment()
    const before = (await api('GET', `/orders/${order.id}`, { token: admin.token })).body
    const event = { id: eventId(), type: 'payment.captured', paymentId: payment.id, ...paid }
    const answers = await Promise.all(Array.from({ length: 8 }, () => deliver(event)))
    assert.ok(
      answers.every((a) => a.status === 200),
      JSON.stringify(answers.map((a) => a.body))
    )
    const applied = answers.filter((a) => !a.body.duplicate)
    assert.equal(applied.length, 1, JSON.stringify(answers.map((a) => a.body)))
    const after = await paymentNow(payment.id)
    assert.equal(after.status, 'captured')
    assert.equal(after.version, payment.version + 1, 'the payment changed once')
    const orderAfter = (await api('GET', `/orders/${order.id}`, { token: admin.token })).body
    assert.equal(orderAfter.status, 'paid')
    assert.equal(orderAfter.version, before.version + 1, 'the order changed once')
    const recorded = await api('GET', `/payment-events?paymentId=${payment.id}`, { token: admin.token })
    assert.equal(recorded.body.total, 1)
  })

  it('has one effect for concurrent captured and failed events of one payment', async () => {
    const { payment } = await asyncPayment()
    const answers = await Promise.all([
      deliver({ id: eventId(), type: 'payment.captured', paymentId: payment.id, ...paid }),
      deliver({ id: eventId(), type: 'payment.failed', paymentId: payment.id })
    ])
    assert.ok(answers.every((a) => a.status === 200))
    assert.equal(answers.filter((a) => a.body.ignored).length, 1, JSON.stringify(answers.map((a) => a.body)))
    const after = await paymentNow(payment.id)
    assert.equal(after.version, payment.version + 1)
  })

  it('answers 404 for an unknown payment (nothing recorded), 400 for a malformed event, 200 for other types', async () => {
    const unknown = { id: eventId(), type: 'payment.captured', paymentId: 99_999_999, ...paid }
    const missing = await deliver(unknown)
    assert.equal(missing.status, 404)
    assert.match(missing.body.message, /No payment found for paymentId 99999999/)
    assert.equal(
      (await api('GET', `/payment-events?eventId=${unknown.id}`, { token: admin.token })).body.total,
      0
    )

    const noId = await deliver({ type: 'payment.captured', paymentId: 1 })
    assert.equal(noId.status, 400)
    assert.equal(noId.body.errors[0].field, 'id')
    const notJson = await api('POST', '/payments/webhook', {
      body: 'not json',
      headers: { 'x-signature': signatureHeader(await webhookSecret(), 'not json') }
    })
    assert.equal(notJson.status, 400)

    const other = await deliver({ id: eventId(), type: 'payment.disputed', paymentId: 1 })
    assert.equal(other.status, 200)
    assert.match(other.body.ignored, /not handled/)
  })

  it('refuses a signed capture whose amount, currency, order or provider reference contradicts the payment, and records it', async () => {
    const { order, payment } = await asyncPayment()
    const orderBefore = (await api('GET', `/orders/${order.id}`, { token: admin.token })).body
    const lies = [
      [{ amountCents: 1, currency: 'KRW' }, ['amountCents', 'currency']],
      [{ amountCents: 1, currency: 'USD' }, ['amountCents']],
      [{ amountCents: 5000, currency: 'KRW' }, ['currency']],
      [{ ...paid, orderId: order.id + 1 }, ['orderId']],
      [{ ...paid, providerRef: 'simpay_someone_else' }, ['providerRef']]
    ] as const
    for (const [claim, fields] of lies) {
      const event = { id: eventId(), type: 'payment.captured', paymentId: payment.id, ...claim }
      const answer = await deliver(event)
      assert.equal(answer.status, 422, JSON.stringify(answer.body))
      assert.deepEqual(
        answer.body.errors.map((e: any) => e.field),
        fields
      )
      assert.match(answer.body.message, new RegExp(`contradicts payment ${payment.id}`))
      const recorded = await api('GET', `/payment-events?eventId=${event.id}`, { token: admin.token })
      assert.equal(recorded.body.total, 1)
      assert.equal(recorded.body.data[0].outcome, 'rejected')
      assert.match(recorded.body.data[0].detail, new RegExp(fields[0]))
      // A retry of the same id is refused again, never applied later.
      assert.equal((await deliver(event)).status, 422)
    }
    // A failure report about another amount is refused too.
    const failed = await deliver({
      id: eventId(),
      type: 'payment.failed',
      paymentId: payment.id,
      amountCents: 1
    })
    assert.equal(failed.status, 422)
    assert.deepEqual(await paymentNow(payment.id), payment)
    assert.deepEqual((await api('GET', `/orders/${order.id}`, { token: admin.token })).body, orderBefore)

    // The truth still goes through, with every assertion matching.
    const truth = { ...paid, orderId: order.id, providerRef: payment.providerRef }
    const good = await deliver({ id: eventId(), type: 'payment.captured', paymentId: payment.id, ...truth })
    assert.equal(good.status, 200, JSON.stringify(good.body))
    assert.equal((await paymentNow(payment.id)).capturedCents, 5000)
    assert.equal((await api('GET', `/orders/${order.id}`, { token: admin.token })).body.status, 'paid')
    // Once captured, a contradicting capture is still refused (not merely ignored).
    const late = await deliver({
      id: eventId(),
      type: 'payment.captured',
      paymentId: payment.id,
      amountCents: 1,
      currency: 'KRW'
    })
    assert.equal(late.status, 422)
  })

  it("applies a capture that overtook the provider's answer to the charge, and takes its reference", async () => {
    const order = await pendingOrder(customer)
    const { app } = await testServer()
    // Committed, the provider asked, its answer (with the reference) not recorded yet: the webhook comes first.
    const payment = await app.service('payments').create(
      {
        orderId: order.id,
        paymentMethod: 'sim_async',
        provider: 'simulated',
        status: 'pending',
        amountCents: order.totalCents,
        currency: order.currency
      },
      { command: 'test: the answer still on its way' }
    )
    assert.equal(payment.providerRef, null)
    const event = {
      id: eventId(),
      type: 'payment.captured',
      paymentId: payment.id,
      providerRef: 'simpay_early'
    }
    const answer = await deliver({ ...event, ...paid })
    assert.equal(answer.status, 200, JSON.stringify(answer.body))
    const now = await paymentNow(payment.id)
    assert.equal(now.status, 'captured')
    assert.equal(now.providerRef, 'simpay_early')
  })

  it('answers 400 to a capture that does not say what it took', async () => {
    const { payment } = await asyncPayment()
    for (const [claim, field] of [
      [{ currency: 'USD' }, 'amountCents'],
      [{ amountCents: 5000 }, 'currency'],
      [{ amountCents: -1, currency: 'USD' }, 'amountCents'],
      [{ amountCents: '5000', currency: 'USD' }, 'amountCents'],
      [{ ...paid, orderId: 'one' }, 'orderId']
    ] as const) {
      const answer = await deliver({
        id: eventId(),
        type: 'payment.captured',
        paymentId: payment.id,
        ...claim
      })
      assert.equal(answer.status, 400, JSON.stringify(claim))
      assert.equal(answer.body.errors[0].field, field)
    }
    assert.equal((await paymentNow(payment.id)).status, 'pending')
  })

  it('answers 400 to signed bodies that are not flat JSON objects or carry NUL characters', async () => {
    const { payment } = await asyncPayment()
    const send = async (body: string) =>
      api('POST', '/payments/webhook', {
        body,
        headers: { 'x-signature': signatureHeader(await webhookSecret(), body) }
      })
    const base = { id: eventId(), type: 'payment.captured', paymentId: payment.id, ...paid }
    const deep = JSON.stringify(base).replace(/}$/, `,"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`)
    const cases: Array<[string, RegExp]> = [
      [deep, /x(\.\d+)* nests deeper than 16 levels/],
      [
        `{"a":${'{"a":'.repeat(30)}1${'}'.repeat(30)},"id":"e","type":"payment.captured","paymentId":1}`,
        /nests deeper/
      ],
      ['[]', /must be a JSON object/],
      ['"payment.captured"', /must be a JSON object/],
      ['42', /must be a JSON object/],
      ['null', /must be a JSON object/],
      [JSON.stringify({ ...base, id: 'evt\u0000x' }), /id must not contain NUL/],
      [
        JSON.stringify({ ...base, failureReason: 'a\u0000b', type: 'payment.failed' }),
        /failureReason must not contain NUL/
      ],
      [JSON.stringify({ ...base, meta: { note: '\u0000' } }), /meta\.note must not contain NUL/],
      [JSON.stringify({ ...base, ['k\u0000']: 1 }), /NUL/]
    ]
    for (const [body, message] of cases) {
      const answer = await send(body)
      assert.equal(answer.status, 400, `${body.slice(0, 80)} → ${JSON.stringify(answer.body).slice(0, 200)}`)
      assert.match(answer.body.message, message)
    }
    assert.equal((await paymentNow(payment.id)).status, 'pending')
    const events = await api('GET', `/payment-events?paymentId=${payment.id}`, { token: admin.token })
    assert.equal(events.body.total, 0)
  })

  it('keeps payment events away from customers and from writes', async () => {
    assert.equal((await api('GET', '/payment-events', { token: customer.token })).status, 403)
    assert.equal(
      (await api('POST', '/payment-events', { token: admin.token, body: { eventId: 'x' } })).status,
      405
    )
  })
})

describe('payments: signature helpers and configuration', () => {
  it('verifies t=…,v1=… over the exact bytes with a tolerance', () => {
    const body = Buffer.from('{"id":"evt_1"}')
    const header = signatureHeader('s3cret-s3cret-s3cret', body, 1_700_000_000)
    assert.equal(verifySignature(header, body, 's3cret-s3cret-s3cret', 300, 1_700_000_100).ok, true)
    assert.equal(verifySignature(header, body, 's3cret-s3cret-s3cret', 300, 1_700_000_301).ok, false, 'stale')
    assert.equal(
      verifySignature(header, Buffer.from('{"id":"evt_2"}'), 's3cret-s3cret-s3cret', 300, 1_700_000_000).ok,
      false
    )
    assert.equal(verifySignature(`${header}0`, body, 's3cret-s3cret-s3cret', 300, 1_700_000_000).ok, false)
  })

  it('refuses the development webhook secret in production and staging', () => {
    const jwt = 'x'.repeat(40)
    const development = 'development-only-webhook-secret-change-me-with-PAYMENT_WEBHOOK_SECRET'
    assert.throws(() => assertDeployable('production', jwt, development), /PAYMENT_WEBHOOK_SECRET/)
    assert.throws(() => assertDeployable('staging', jwt, 'short-secret'), /PAYMENT_WEBHOOK_SECRET/)
    assert.doesNotThrow(() => assertDeployable('production', jwt, 'w'.repeat(40)))
    assert.doesNotThrow(() => assertDeployable('development', jwt, development))
  })
})

interface Received {
  event: string
  data: any
}

const connect = async (user: TestUser) => {
  const { url } = await testServer()
  const socket: Socket = io(url, { transports: ['websocket'], forceNew: true })
  const client = feathers()
    .configure(socketio(socket))
    .configure(authenticationClient({ storage: undefined as any }))
  await client.authenticate({ strategy: 'jwt', accessToken: user.token })
  const received: Received[] = []
  for (const path of ['payments', 'refunds']) {
    for (const event of ['created', 'patched', 'updated', 'removed']) {
      client.service(path).on(event, (data: any) => received.push({ event: `${path} ${event}`, data }))
    }
  }
  return { client, socket, received }
}

const waitFor = async (condition: () => boolean, what: string, ms = 3000) => {
  const until = Date.now() + ms
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('payments: realtime events (Socket.io)', () => {
  const sockets: Socket[] = []
  after(() => sockets.forEach((socket) => socket.close()))

  it("reach the order's owner, support and admins, and no other customer", async () => {
    const [owner, stranger, supportUser] = await Promise.all([
      userWithRoles(['customer']),
      userWithRoles(['customer']),
      userWithRoles(['support'])
    ])
    const [mine, theirs, staff] = await Promise.all([connect(owner), connect(stranger), connect(supportUser)])
    sockets.push(mine.socket, theirs.socket, staff.socket)

    const order = await pendingOrder(owner)
    const payment = (await pay(owner, order.id, 'sim_async')).body
    await deliver({ id: eventId(), type: 'payment.captured', paymentId: payment.id, ...paid })

    const events = (received: Received[]) =>
      received.filter((r) => r.data.id === payment.id).map((r) => `${r.event} ${r.data.status}`)
    // Recorded pending, then the provider's pending answer (its reference), then the webhook's capture.
    const expected = ['payments created pending', 'payments patched pending', 'payments patched captured']
    await waitFor(() => events(mine.received).length >= 3, 'the owner to get three events')
    await waitFor(() => events(staff.received).length >= 3, 'support to get three events')
    assert.deepEqual(events(mine.received), expected)
    assert.deepEqual(events(staff.received), expected)
    // A round trip on the stranger's socket after the changes: nothing can still be in flight.
    await theirs.client.service('payments').find({ query: { $limit: 1 } })
    await new Promise((resolve) => setTimeout(resolve, 150))
    assert.deepEqual(theirs.received, [])
  })
})
