import assert from 'node:assert/strict'
import { api, testServer, userWithRoles, type TestUser } from '../../../../test/helpers/server'
import { pendingOrder } from '../../../../test/helpers/commerce'
import { StripeStandIn } from '../../../../test/helpers/stripe-stand-in'
import { clientModel } from '../../../engine/generators/client-model'
import { servedDocument } from '../../../ops/openapi'
import { paymentFacts } from '../accepted-methods'
import { chargeKey, refundKey, resetProviders } from '../provider'
import { reconcile } from '../reconcile'
import { INTERRUPTED } from '../settle-payment'
import { STRIPE_WEBHOOK_PATH } from '../stripe/webhook'

// The Stripe provider through the real `stripe` SDK against the local stand-in (test/helpers/stripe-stand-in.ts),
// over real HTTP against the shared test server, enabled beside the simulator for these tests only.
const TIMEOUT_MS = 400

describe('payments: the Stripe provider, through the stripe SDK', () => {
  let app: any
  let saved: Record<string, any>
  let standIn: StripeStandIn
  let customer: TestUser
  let stranger: TestUser
  let admin: TestUser
  let support: TestUser
  let webhookUrl: string

  before(async () => {
    const server = await testServer()
    app = server.app
    webhookUrl = `${server.url}${STRIPE_WEBHOOK_PATH}`
    standIn = await new StripeStandIn().start()
    saved = app.get('payments')
    app.set('payments', {
      ...saved,
      providerTimeoutMs: TIMEOUT_MS,
      providers: {
        simulated: { enabled: true },
        stripe: {
          enabled: true,
          secretKey: standIn.secretKey,
          webhookSecret: standIn.webhookSecret,
          apiBase: standIn.url,
          webhookToleranceSeconds: 300,
          // Set per test: the stand-in's search shows an intent at once.
          searchLagSeconds: 0
        }
      }
    })
    resetProviders(app)
    ;[customer, stranger, admin, support] = await Promise.all(
      [['customer'], ['customer'], ['admin'], ['support']].map((roles) => userWithRoles(roles))
    )
  })
  afterEach(() => standIn.clearFaults())
  after(async () => {
    app.set('payments', saved)
    resetProviders(app)
    await standIn.stop()
  })

  const pay = (orderId: number, paymentMethod: string, user = customer) =>
    api('POST', '/payments', { token: user.token, body: { orderId, paymentMethod } })
  const read = async (path: string) => (await api('GET', path, { token: admin.token })).body
  const intentOf = (paymentId: number) =>
    [...standIn.intents.values()].filter((intent) => intent.metadata.key === chargeKey(paymentId))
  const everything = () => reconcile(app, { olderThanSeconds: 0 })

  describe('charges', () => {
    it('captures a PaymentIntent created and confirmed with our key, amount and currency', async () => {
      const order = await pendingOrder(customer, 1999)
      const { status, body } = await pay(order.id, 'pm_card_visa')
      assert.equal(status, 201, JSON.stringify(body))
      assert.equal(body.status, 'captured')
      assert.equal(body.provider, 'stripe')
      assert.equal(body.capturedCents, 1999)
      const [intent] = intentOf(body.id)
      assert.equal(body.providerRef, intent.id)
      assert.equal(intent.status, 'succeeded')
      const create = standIn.requests.find((r) => r.idempotencyKey === chargeKey(body.id))!
      assert.deepEqual(
        { ...create.params, automatic_payment_methods: undefined },
        {
          amount: '1999',
          currency: 'usd',
          payment_method: 'pm_card_visa',
          confirm: 'true',
          metadata: { key: chargeKey(body.id) },
          automatic_payment_methods: undefined
        }
      )
      assert.equal((await read(`/orders/${order.id}`)).status, 'paid')
    })

    it('sends USD and EUR in cents and KRW in whole won, as Stripe counts them', async () => {
      for (const [total, currency, amount] of [
        [1999, 'USD', 1999],
        [1250, 'EUR', 1250],
        [50000, 'KRW', 50000]
      ] as const) {
        const order = await pendingOrder(customer, total, currency)
        const { status, body } = await pay(order.id, 'pm_card_visa')
        assert.equal(status, 201, JSON.stringify(body))
        assert.equal(body.status, 'captured')
        const [intent] = intentOf(body.id)
        assert.equal(intent.amount, amount, currency)
        assert.equal(intent.currency, currency.toLowerCase())
      }
    })

    it('answers a decline 402 with the decline code, and records the payment failed', async () => {
      for (const [method, code] of [
        ['pm_card_chargeDeclined', 'generic_decline'],
        ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds']
      ]) {
        const order = await pendingOrder(customer)
        const { status, body } = await pay(order.id, method)
        assert.equal(status, 402, JSON.stringify(body))
        assert.equal(body.name, 'PaymentError')
        assert.equal(body.data.declineCode, code)
        const payment = await read(`/payments/${body.data.paymentId}`)
        assert.equal(payment.status, 'failed')
        assert.equal(payment.declineCode, code)
        assert.equal(payment.providerRef, intentOf(payment.id)[0].id)
        assert.equal((await read(`/orders/${order.id}`)).status, 'pending', 'the order can be paid again')
      }
    })

    it('replays a declined request with its key as the same 402, and an unavailable one as the payment now', async () => {
      const keyed = (orderId: number, paymentMethod: string, key: string) =>
        api('POST', '/payments', {
          token: customer.token,
          body: { orderId, paymentMethod },
          headers: { 'Idempotency-Key': key }
        })
      const declined = await pendingOrder(customer)
      const key = `decline-${declined.id}`
      const first = await keyed(declined.id, 'pm_card_chargeDeclined', key)
      assert.equal(first.status, 402, JSON.stringify(first.body))
      const replay = await keyed(declined.id, 'pm_card_chargeDeclined', key)
      assert.equal(replay.status, 402, JSON.stringify(replay.body))
      assert.deepEqual(replay.body, first.body)
      assert.equal(intentOf(first.body.data.paymentId).length, 1, 'Stripe was asked once')

      const down = await pendingOrder(customer)
      standIn.failNext(503, /^POST \/v1\/payment_intents$/)
      const unavailable = await keyed(down.id, 'pm_card_visa', `down-${down.id}`)
      assert.equal(unavailable.status, 503, JSON.stringify(unavailable.body))
      const retried = await keyed(down.id, 'pm_card_visa', `down-${down.id}`)
      assert.equal(retried.status, 201, JSON.stringify(retried.body))
      assert.equal(retried.body.id, unavailable.body.data.paymentId)
      assert.equal(
        retried.body.status,
        'pending',
        'the reconciler settles it; the retry made no second payment'
      )
    })

    it('takes only PaymentMethod ids: card data is a 400 naming paymentMethod, never sent on', async () => {
      const order = await pendingOrder(customer)
      const before = standIn.requests.length
      for (const method of ['4242424242424242', 'pm_', 'tok_visa']) {
        const { status, body } = await pay(order.id, method)
        assert.equal(status, 400, JSON.stringify(body))
        assert.equal(body.errors[0].field, 'paymentMethod')
        assert.ok(!JSON.stringify(body).includes('4242424242424242'), 'the card number is not echoed')
      }
      assert.equal(standIn.requests.length, before, 'nothing reached Stripe')
      const unknown = await pay(order.id, 'pm_card_unknown')
      assert.equal(unknown.status, 400, JSON.stringify(unknown.body))
      assert.equal(unknown.body.errors[0].field, 'paymentMethod')
      assert.equal((await read(`/payments/${unknown.body.data.paymentId}`)).status, 'failed')
    })
  })

  describe('3-D Secure and webhooks', () => {
    const deliver = (type: string, object: Record<string, any>, options = {}) =>
      standIn.deliver(webhookUrl, standIn.event(type, object), options)

    const awaitingAction = async () => {
      const order = await pendingOrder(customer)
      const { status, body } = await pay(order.id, 'pm_card_authenticationRequired')
      assert.equal(status, 201, JSON.stringify(body))
      return { order, payment: body, intent: intentOf(body.id)[0] }
    }

    it('leaves requires_action pending with the client secret for its owner, then a webhook captures it once', async () => {
      const { order, payment, intent } = await awaitingAction()
      assert.equal(payment.status, 'pending')
      assert.equal(payment.clientSecret, intent.client_secret)
      assert.equal(payment.nextAction, 'use_stripe_sdk')
      assert.equal((await api('GET', `/payments/${payment.id}`, { token: stranger.token })).status, 404)

      // The customer finishes 3-D Secure with Stripe.js; Stripe tells us.
      const event = standIn.event('payment_intent.succeeded', standIn.finishAction(intent.id, 'succeeded'))
      const first = await standIn.deliver(webhookUrl, event)
      assert.equal(first.status, 200, JSON.stringify(first.body))
      assert.equal(first.body.status, 'captured')
      const settled = await read(`/payments/${payment.id}`)
      assert.equal(settled.status, 'captured')
      assert.equal(settled.clientSecret, null, 'no client secret kept once settled')
      assert.equal((await read(`/orders/${order.id}`)).status, 'paid')

      const replay = await standIn.deliver(webhookUrl, event)
      assert.equal(replay.status, 200)
      assert.equal(replay.body.duplicate, true)
      assert.equal((await read(`/payments/${payment.id}`)).version, settled.version)
      const recorded = await read(`/payment-events?eventId=stripe:${event.id}`)
      assert.equal(recorded.total, 1)
      assert.equal(recorded.data[0].payload.data.object.client_secret, '[removed]')
      assert.equal(standIn.captures.get(intent.id), 1)
    })

    it('records a failure reported by webhook with its decline code', async () => {
      const { payment, intent } = await awaitingAction()
      const { status, body } = await deliver(
        'payment_intent.payment_failed',
        standIn.finishAction(intent.id, 'failed')
      )
      assert.equal(status, 200, JSON.stringify(body))
      const failed = await read(`/payments/${payment.id}`)
      assert.equal(failed.status, 'failed')
      assert.equal(failed.declineCode, 'payment_intent_authentication_failure')
    })

    it('refuses a forged and a stale signature (401), and changes nothing', async () => {
      const { payment, intent } = await awaitingAction()
      const succeeded = standIn.finishAction(intent.id, 'succeeded')
      const forged = await deliver('payment_intent.succeeded', succeeded, { secret: 'whsec_forged' })
      assert.equal(forged.status, 401, JSON.stringify(forged.body))
      const stale = await deliver('payment_intent.succeeded', succeeded, {
        timestamp: Math.floor(Date.now() / 1000) - 301
      })
      assert.equal(stale.status, 401, JSON.stringify(stale.body))
      assert.equal(stale.body.data.reason, 'stale')
      const unsigned = await fetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}'
      })
      assert.equal(unsigned.status, 401)
      const notJson = await fetch(webhookUrl, { method: 'POST', body: 'a=1' })
      assert.equal(notJson.status, 415)
      assert.equal((await read(`/payments/${payment.id}`)).status, 'pending')
    })

    it('acknowledges and ignores an unknown event type and an intent that is not ours', async () => {
      const unknown = await deliver('customer.created', { id: 'cus_1', object: 'customer' })
      assert.equal(unknown.status, 200)
      assert.match(unknown.body.ignored, /customer\.created is not handled/)
      const foreign = await deliver('payment_intent.succeeded', {
        id: 'pi_else',
        currency: 'usd',
        metadata: {}
      })
      assert.equal(foreign.status, 200)
      assert.match(foreign.body.ignored, /not a payment of this API/)
    })
  })

  describe('failures and reconciliation', () => {
    it('a timeout after the capture: pending here, captured once by the reconciler', async () => {
      const order = await pendingOrder(customer)
      standIn.delayNext(3 * TIMEOUT_MS, /^POST \/v1\/payment_intents$/)
      const { status, body } = await pay(order.id, 'pm_card_visa')
      assert.equal(status, 201, JSON.stringify(body))
      assert.equal(body.status, 'pending')
      const [intent] = intentOf(body.id)
      assert.equal(intent.status, 'succeeded', 'Stripe took it')

      await Promise.all([everything(), everything()])
      const settled = await read(`/payments/${body.id}`)
      assert.equal(settled.status, 'captured')
      assert.equal(settled.providerRef, intent.id)
      assert.equal((await read(`/orders/${order.id}`)).status, 'paid')
      await everything()
      assert.equal((await read(`/payments/${body.id}`)).version, settled.version)
      assert.equal(intentOf(body.id).length, 1, 'one PaymentIntent for the key')
      assert.equal(standIn.captures.get(intent.id), 1, 'one capture')
    })

    it('Stripe unavailable: 503 with Retry-After, the payment pending, then closed by the reconciler', async () => {
      const order = await pendingOrder(customer)
      standIn.failNext(503, /^POST \/v1\/payment_intents$/)
      const { status, body, headers } = await pay(order.id, 'pm_card_visa')
      assert.equal(status, 503, JSON.stringify(body))
      assert.ok(Number(headers.get('retry-after')) > 0)
      const payment = await read(`/payments/${body.data.paymentId}`)
      assert.equal(payment.status, 'pending')
      standIn.clearFaults()

      // Stripe's search may not show a new intent yet: within searchLagSeconds, not found is not "never made".
      const stripe = app.get('payments').providers.stripe
      stripe.searchLagSeconds = 600
      try {
        await everything()
        assert.equal((await read(`/payments/${payment.id}`)).status, 'pending', 'left for a later run')
      } finally {
        stripe.searchLagSeconds = 0
      }

      // Past the lag, nothing reached Stripe: the reconciler finds no intent for the key and fails the payment.
      await everything()
      const closed = await read(`/payments/${payment.id}`)
      assert.equal(closed.status, 'failed')
      assert.equal(closed.failureReason, INTERRUPTED)
      assert.equal(intentOf(payment.id).length, 0)
      const again = await pay(order.id, 'pm_card_visa')
      assert.equal(again.status, 201, JSON.stringify(again.body))
      assert.equal(again.body.status, 'captured')
    })
  })

  describe('refunds', () => {
    const refund = (paymentId: number, amountCents: number) =>
      api('POST', '/refunds', { token: support.token, body: { paymentId, amountCents, reason: 'test' } })
    const captured = async (total = 5000, currency = 'USD') => {
      const order = await pendingOrder(customer, total, currency)
      const { body } = await pay(order.id, 'pm_card_visa')
      assert.equal(body.status, 'captured')
      return { order, payment: body }
    }
    const refundsAt = (intentId: string) =>
      [...standIn.refunds.values()].filter((r) => r.payment_intent === intentId)

    it('refunds part, then the rest, with our keys; never more than was taken', async () => {
      const { order, payment } = await captured(5000, 'EUR')
      const part = await refund(payment.id, 1500)
      assert.equal(part.status, 201, JSON.stringify(part.body))
      assert.equal(part.body.status, 'succeeded')
      assert.equal((await read(`/orders/${order.id}`)).status, 'partially_refunded')
      const rest = await refund(payment.id, 3500)
      assert.equal(rest.body.status, 'succeeded')
      assert.equal((await refund(payment.id, 1)).status, 409)
      const refunds = refundsAt(payment.providerRef)
      assert.deepEqual(
        refunds.map((r) => [r.amount, r.currency, r.metadata.key]),
        [
          [1500, 'eur', refundKey(part.body.id)],
          [3500, 'eur', refundKey(rest.body.id)]
        ]
      )
      assert.equal(part.body.providerRef, refunds[0].id)
      assert.equal((await read(`/orders/${order.id}`)).status, 'refunded')
    })

    it('a refund Stripe could not take stays pending, then the reconciler makes it once', async () => {
      const { payment } = await captured(30000, 'KRW')
      standIn.failNext(503, /^POST \/v1\/refunds$/)
      const { body } = await refund(payment.id, 30000)
      assert.equal(body.status, 'pending')
      standIn.clearFaults()
      await Promise.all([everything(), everything()])
      const settled = await read(`/refunds/${body.id}`)
      assert.equal(settled.status, 'succeeded')
      assert.deepEqual(
        refundsAt(payment.providerRef).map((r) => [r.amount, r.currency]),
        [[30000, 'krw']]
      )
    })
  })

  it('takes a payment only in the currencies configured for the provider (400 naming paymentMethod)', async () => {
    const settings = app.get('payments')
    const stripe = { ...settings.providers.stripe, currencies: ['USD'] }
    app.set('payments', { ...settings, providers: { ...settings.providers, stripe } })
    try {
      const order = await pendingOrder(customer, 70000, 'KRW')
      const { status, body } = await pay(order.id, 'pm_card_visa')
      assert.equal(status, 400, JSON.stringify(body))
      assert.equal(body.errors[0].field, 'paymentMethod')
      assert.match(body.errors[0].message, /KRW/)
      assert.equal((await pay(order.id, 'sim_succeed')).body.status, 'captured', 'the simulator serves KRW')
    } finally {
      app.set('payments', settings)
    }
  })

  // /declarations.json and /openapi.json are built once per process from the configuration at start (the shared
  // test server started without Stripe): built here as the endpoints build them, from this configuration.
  it('/declarations.json and OpenAPI list each enabled provider with its methods and currencies', () => {
    const model = clientModel(app.get('resources'), paymentFacts(app))
    const names = model.payments!.providers.map((provider) => provider.name)
    assert.deepEqual(names, ['simulated', 'stripe'])
    assert.match(model.payments!.providers[1].methodsHint!, /pm_/)
    assert.deepEqual(model.payments!.providers[1].currencies, ['KRW', 'USD', 'EUR'])
    assert.deepEqual(model.payments!.methods, ['sim_succeed', 'sim_fail', 'sim_async', 'sim_timeout'])
    const create = (servedDocument(app.get('resources'), app) as any).paths['/payments'].post
    assert.equal(create.responses['402'].$ref, '#/components/responses/PaymentError')
    assert.ok(create.responses['503'])
    assert.match(create.description, /stripe \(a Stripe PaymentMethod id/)
    const body = JSON.stringify(create.requestBody)
    assert.ok(!body.includes('"enum":["sim_succeed"'), 'no closed list of methods while Stripe takes pm_ ids')
  })
})
