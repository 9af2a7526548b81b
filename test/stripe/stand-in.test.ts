import assert from 'node:assert/strict'
import Stripe from 'stripe'
import { StripeStandIn } from '../helpers/stripe-stand-in'

// The stand-in answers the real SDK as Stripe's API reference says Stripe does (test/helpers/stripe-stand-in.ts).
describe('the Stripe stand-in, driven by the stripe SDK', () => {
  let standIn: StripeStandIn
  let stripe: Stripe
  const charge = (key: string, paymentMethod = 'pm_card_visa', amount = 1999) =>
    stripe.paymentIntents.create(
      { amount, currency: 'usd', payment_method: paymentMethod, confirm: true, metadata: { key } },
      { idempotencyKey: key }
    )

  before(async () => {
    standIn = await new StripeStandIn().start()
    const { hostname, port } = new URL(standIn.url)
    stripe = new Stripe(standIn.secretKey, { host: hostname, port, protocol: 'http', maxNetworkRetries: 0 })
  })
  after(() => standIn.stop())

  it('form-encoded create with metadata, replayed by Idempotency-Key, refused with other params', async () => {
    const first = await charge('payment-s1')
    assert.equal(first.status, 'succeeded')
    assert.deepEqual(first.metadata, { key: 'payment-s1' })
    assert.equal((await charge('payment-s1')).id, first.id)
    assert.equal(standIn.captures.get(first.id), 1)
    await assert.rejects(charge('payment-s1', 'pm_card_visa', 5), {
      rawType: 'idempotency_error',
      statusCode: 400
    })
    const found = await stripe.paymentIntents.search({ query: "metadata['key']:'payment-s1'" })
    assert.deepEqual(
      found.data.map((intent) => intent.id),
      [first.id]
    )
  })

  it('declines with 402 card_error and the decline code; requires_action carries a client secret', async () => {
    await assert.rejects(charge('payment-s2', 'pm_card_chargeDeclinedInsufficientFunds'), (error: any) => {
      assert.equal(error.statusCode, 402)
      assert.equal(error.code, 'card_declined')
      assert.equal(error.decline_code, 'insufficient_funds')
      assert.equal(error.payment_intent.status, 'requires_payment_method')
      return true
    })
    const action = await charge('payment-s3', 'pm_card_authenticationRequired')
    assert.equal(action.status, 'requires_action')
    assert.equal(action.next_action?.type, 'use_stripe_sdk')
    assert.match(action.client_secret!, new RegExp(`^${action.id}_secret_`))
  })

  it('refunds partially, then the rest, never more; lists them by payment intent', async () => {
    const intent = await charge('payment-s4')
    await stripe.refunds.create({ payment_intent: intent.id, amount: 500 }, { idempotencyKey: 'refund-s1' })
    await stripe.refunds.create({ payment_intent: intent.id }, { idempotencyKey: 'refund-s2' })
    await assert.rejects(stripe.refunds.create({ payment_intent: intent.id, amount: 1 }), { statusCode: 400 })
    const listed = await stripe.refunds.list({ payment_intent: intent.id })
    assert.deepEqual(listed.data.map((refund) => refund.amount).sort(), [1499, 500])
  })

  it('answers 401 to a wrong key, 503 when told to, and a webhook signature the SDK verifies', async () => {
    const { hostname, port } = new URL(standIn.url)
    const wrong = new Stripe('sk_test_wrong', {
      host: hostname,
      port,
      protocol: 'http',
      maxNetworkRetries: 0
    })
    await assert.rejects(wrong.paymentIntents.search({ query: "metadata['key']:'x'" }), { statusCode: 401 })
    standIn.failNext(503)
    await assert.rejects(charge('payment-s5'), { rawType: 'api_error', statusCode: 503 })
    assert.equal((await charge('payment-s5')).status, 'succeeded')
    const event = standIn.event('payment_intent.succeeded', { id: 'pi_x' })
    const payload = JSON.stringify(event)
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret: standIn.webhookSecret })
    assert.equal(stripe.webhooks.constructEvent(payload, header, standIn.webhookSecret).id, event.id)
  })
})
