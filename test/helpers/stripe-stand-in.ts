import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import Stripe from 'stripe'

/**
 * A local stand-in for the Stripe endpoints our provider uses (src/contexts/payments/stripe/), driven by the real
 * `stripe` SDK in the tests (this machine cannot reach Stripe). Small and faithful to the API reference
 * (docs.stripe.com/api) for exactly: PaymentIntents (create, retrieve, confirm, capture, cancel, search by
 * metadata), Refunds (create, retrieve, list by payment_intent), Bearer auth, `Idempotency-Key` replay and
 * Stripe's error object. Controls: delay or fail the next answers, and deliver signed webhooks.
 */

type Obj = Record<string, any>

// docs.stripe.com/testing#declined-payments and #regulatory-cards: the test PaymentMethods by their ids.
const TEST_METHODS: Record<string, { decline?: [string, string]; action?: true }> = {
  pm_card_visa: {},
  pm_card_mastercard: {},
  pm_card_chargeDeclined: { decline: ['generic_decline', 'Your card was declined.'] },
  pm_card_chargeDeclinedInsufficientFunds: {
    decline: ['insufficient_funds', 'Your card has insufficient funds.']
  },
  pm_card_authenticationRequired: { action: true },
  pm_card_threeDSecure2Required: { action: true }
}

// docs.stripe.com/currencies#zero-decimal (the ones this project may meet).
export const ZERO_DECIMAL = new Set(['krw', 'jpy', 'vnd'])

/** `application/x-www-form-urlencoded` with Stripe's nested keys (`metadata[key]=v`, `expand[]=x`). */
export const parseForm = (text: string): Obj => {
  const out: Obj = {}
  for (const [key, value] of new URLSearchParams(text)) {
    const path = key.split(/\[|\]\[|\]/).filter((part, i) => i === 0 || part !== '')
    let node = out
    path.slice(0, -1).forEach((part) => (node = node[part] ??= {}))
    node[path[path.length - 1]] = value
  }
  return out
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`
const now = () => Math.floor(Date.now() / 1000)

/** docs.stripe.com/api/errors: `{error: {type, code, decline_code, message, param}}` with its HTTP status. */
class StripeFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: Obj
  ) {
    super(body.message)
  }
}
const failure = (status: number, type: string, message: string, extra: Obj = {}) =>
  new StripeFailure(status, { type, message, ...extra })
const missing = (kind: string, value: string, param = 'id') =>
  failure(404, 'invalid_request_error', `No such ${kind}: '${value}'`, { code: 'resource_missing', param })

export interface StandInOptions {
  secretKey?: string
  webhookSecret?: string
}

export class StripeStandIn {
  readonly secretKey: string
  readonly webhookSecret: string
  readonly intents = new Map<string, Obj>()
  readonly refunds = new Map<string, Obj>()
  /** Every request as received (method, path, params, idempotency key), for the tests to count. */
  readonly requests: Array<{ method: string; path: string; params: Obj; idempotencyKey?: string }> = []
  /** How many times each intent's amount was taken (a capture); a correct client makes one per payment. */
  readonly captures = new Map<string, number>()
  private readonly idempotency = new Map<string, { params: string; status: number; body: Obj }>()
  private readonly sockets = new Set<Socket>()
  private faults: Array<{ status?: number; delayMs?: number; match?: RegExp }> = []
  private server = createServer((req, res) => void this.handle(req, res))
  url = ''

  constructor(options: StandInOptions = {}) {
    this.secretKey = options.secretKey ?? `sk_test_${randomBytes(12).toString('hex')}`
    this.webhookSecret = options.webhookSecret ?? `whsec_${randomBytes(16).toString('hex')}`
    this.server.on('connection', (socket) => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
  }

  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this
  }

  async stop() {
    this.sockets.forEach((socket) => socket.destroy())
    await new Promise((resolve) => this.server.close(resolve))
  }

  /** The next matching request answers `status` (503: Stripe unavailable) before doing anything. */
  failNext(status = 503, match?: RegExp, times = 1) {
    for (let i = 0; i < times; i++) this.faults.push({ status, match })
  }

  /** The next matching request is carried out, but its answer is held back `delayMs` (a timeout after the work). */
  delayNext(delayMs: number, match?: RegExp) {
    this.faults.push({ delayMs, match })
  }

  clearFaults() {
    this.faults = []
  }

  /** The request counted by path, e.g. `POST /v1/payment_intents`. */
  count(method: string, path: string) {
    return this.requests.filter((r) => r.method === method && r.path === path).length
  }

  private takeFault(method: string, path: string) {
    const index = this.faults.findIndex((f) => !f.match || f.match.test(`${method} ${path}`))
    return index < 0 ? undefined : this.faults.splice(index, 1)[0]
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const url = new URL(req.url ?? '/', 'http://stand-in')
    const method = req.method ?? 'GET'
    const params =
      method === 'GET' ? parseForm(url.search.slice(1)) : parseForm(Buffer.concat(chunks).toString())
    const key = req.headers['idempotency-key'] as string | undefined
    this.requests.push({ method, path: url.pathname, params, idempotencyKey: key })
    const send = (status: number, body: Obj, headers: Obj = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req'), ...headers })
      res.end(JSON.stringify(body))
    }
    // docs.stripe.com/api/authentication: a missing or wrong key is a 401 authentication_error.
    if (req.headers.authorization !== `Bearer ${this.secretKey}`) {
      return send(401, {
        error: { type: 'authentication_error', message: 'Invalid API Key provided.' }
      })
    }
    const fault = this.takeFault(method, url.pathname)
    // docs.stripe.com/error-handling: 500/503 api_error; nothing was done, a retry with the key is safe.
    if (fault?.status)
      return send(fault.status, { error: { type: 'api_error', message: 'Stripe is unavailable.' } })
    // docs.stripe.com/api/idempotent_requests: the first answer replayed for 24 h; other params are a 400.
    const stored = key && method === 'POST' ? this.idempotency.get(key) : undefined
    if (stored && stored.params !== JSON.stringify(params)) {
      return send(400, {
        error: {
          type: 'idempotency_error',
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`
        }
      })
    }
    let status = 200
    let body: Obj
    if (stored) ({ status, body } = stored)
    else {
      try {
        body = this.route(method, url.pathname, params)
      } catch (error) {
        if (!(error instanceof StripeFailure)) throw error
        status = error.status
        body = { error: error.body }
      }
      if (key && method === 'POST')
        this.idempotency.set(key, { params: JSON.stringify(params), status, body })
    }
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs))
    if (!res.destroyed) send(status, body, stored ? { 'idempotent-replayed': 'true' } : {})
  }

  private route(method: string, path: string, params: Obj): Obj {
    const [, , resource, objectId, action] = path.split('/')
    const at = `${method} ${resource}${objectId ? (objectId === 'search' ? ' search' : ' :id') : ''}${action ? ` ${action}` : ''}`
    switch (at) {
      case 'POST payment_intents':
        return this.createIntent(params)
      case 'GET payment_intents search':
        return this.searchIntents(params.query ?? '')
      case 'GET payment_intents :id':
        return this.intent(objectId)
      case 'POST payment_intents :id confirm':
        return this.confirm(this.intent(objectId), params.payment_method)
      case 'POST payment_intents :id capture':
        return this.capture(this.intent(objectId), params)
      case 'POST payment_intents :id cancel':
        return this.cancel(this.intent(objectId))
      case 'POST refunds':
        return this.createRefund(params)
      case 'GET refunds :id':
        return (
          this.refunds.get(objectId) ??
          (() => {
            throw missing('refund', objectId)
          })()
        )
      case 'GET refunds':
        return this.list(
          '/v1/refunds',
          [...this.refunds.values()].filter(
            (r) => !params.payment_intent || r.payment_intent === params.payment_intent
          )
        )
      default:
        throw failure(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}).`)
    }
  }

  private intent(intentId: string) {
    const intent = this.intents.get(intentId)
    if (!intent) throw missing('payment_intent', intentId, 'intent')
    return intent
  }

  private list(url: string, data: Obj[], object = 'list') {
    return { object, data, has_more: false, url, ...(object === 'search_result' && { next_page: null }) }
  }

  /** docs.stripe.com/api/payment_intents/create: `amount` a positive integer in the minor unit, `currency` lower-case. */
  private createIntent(params: Obj) {
    const amount = Number(params.amount)
    if (!/^\d+$/.test(params.amount ?? '') || amount < 1)
      throw failure(400, 'invalid_request_error', 'This value must be greater than or equal to 1.', {
        code: 'parameter_invalid_integer',
        param: 'amount'
      })
    if (!/^[a-z]{3}$/.test(params.currency ?? ''))
      throw failure(400, 'invalid_request_error', 'Invalid currency.', {
        code: 'parameter_invalid_empty',
        param: 'currency'
      })
    const intentId = id('pi')
    const intent: Obj = {
      id: intentId,
      object: 'payment_intent',
      amount,
      amount_received: 0,
      currency: params.currency,
      capture_method: params.capture_method ?? 'automatic',
      client_secret: `${intentId}_secret_${randomBytes(12).toString('hex')}`,
      created: now(),
      latest_charge: null,
      last_payment_error: null,
      livemode: false,
      metadata: params.metadata ?? {},
      next_action: null,
      payment_method: params.payment_method ?? null,
      status: params.payment_method ? 'requires_confirmation' : 'requires_payment_method'
    }
    this.intents.set(intentId, intent)
    return params.confirm === 'true' ? this.confirm(intent, params.payment_method) : intent
  }

  /** docs.stripe.com/payments/paymentintents/lifecycle, with the test cards' outcomes (docs.stripe.com/testing). */
  private confirm(intent: Obj, paymentMethod = intent.payment_method) {
    if (!['requires_confirmation', 'requires_payment_method'].includes(intent.status))
      throw failure(400, 'invalid_request_error', `This PaymentIntent's status is ${intent.status}.`, {
        code: 'payment_intent_unexpected_state',
        payment_intent: intent
      })
    const card = TEST_METHODS[paymentMethod]
    if (!card)
      throw failure(400, 'invalid_request_error', `No such PaymentMethod: '${paymentMethod}'`, {
        code: 'resource_missing',
        param: 'payment_method'
      })
    intent.payment_method = paymentMethod
    if (card.decline) {
      const [decline_code, message] = card.decline
      const error = { type: 'card_error', code: 'card_declined', decline_code, message, charge: id('ch') }
      Object.assign(intent, { status: 'requires_payment_method', last_payment_error: error })
      throw failure(402, 'card_error', message, { ...error, payment_intent: intent })
    }
    if (card.action) {
      // docs.stripe.com/payments/3d-secure: the client finishes with Stripe.js (handleNextAction).
      return Object.assign(intent, {
        status: 'requires_action',
        next_action: { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect' } }
      })
    }
    return this.authorized(intent)
  }

  private authorized(intent: Obj) {
    intent.latest_charge = id('ch')
    intent.next_action = null
    if (intent.capture_method === 'manual') return Object.assign(intent, { status: 'requires_capture' })
    return this.capture(intent, {})
  }

  private capture(intent: Obj, params: Obj) {
    if (
      !['requires_capture', 'requires_action', 'processing', 'requires_confirmation'].includes(intent.status)
    )
      throw failure(
        400,
        'invalid_request_error',
        `This PaymentIntent could not be captured because it has a status of ${intent.status}.`,
        {
          code: 'payment_intent_unexpected_state'
        }
      )
    this.captures.set(intent.id, (this.captures.get(intent.id) ?? 0) + 1)
    const amount = params.amount_to_capture ? Number(params.amount_to_capture) : intent.amount
    return Object.assign(intent, { status: 'succeeded', amount_received: amount, next_action: null })
  }

  /** docs.stripe.com/api/payment_intents/cancel: any status but succeeded (or already canceled). */
  private cancel(intent: Obj) {
    if (['succeeded', 'canceled'].includes(intent.status))
      throw failure(
        400,
        'invalid_request_error',
        `You cannot cancel this PaymentIntent because it has a status of ${intent.status}.`,
        {
          code: 'payment_intent_unexpected_state',
          payment_intent: intent
        }
      )
    return Object.assign(intent, { status: 'canceled', canceled_at: now(), next_action: null })
  }

  /** docs.stripe.com/search#search-query-language, only the `metadata['key']:'value'` clause. */
  private searchIntents(query: string) {
    const clause = /^metadata\['([^']+)'\]:'([^']*)'$/.exec(query.trim())
    if (!clause) throw failure(400, 'invalid_request_error', 'Unsupported search query.', { param: 'query' })
    const [, field, value] = clause
    const found = [...this.intents.values()].filter((intent) => intent.metadata[field] === value)
    return this.list('/v1/payment_intents/search', found, 'search_result')
  }

  /** docs.stripe.com/api/refunds/create: of a succeeded intent, never more than is left. */
  private createRefund(params: Obj) {
    const intent = this.intent(params.payment_intent)
    if (intent.status !== 'succeeded')
      throw failure(
        400,
        'invalid_request_error',
        'This PaymentIntent does not have a successful charge to refund.',
        {
          param: 'payment_intent'
        }
      )
    const refunded = [...this.refunds.values()]
      .filter((r) => r.payment_intent === intent.id && r.status !== 'failed')
      .reduce((sum, r) => sum + r.amount, 0)
    const amount = params.amount ? Number(params.amount) : intent.amount_received - refunded
    if (amount > intent.amount_received - refunded)
      throw failure(
        400,
        'invalid_request_error',
        `Refund amount (${amount}) is greater than unrefunded amount on charge (${intent.amount_received - refunded})`,
        {
          code: refunded ? 'amount_too_large' : 'charge_already_refunded',
          param: 'amount'
        }
      )
    const refund = {
      id: id('re'),
      object: 'refund',
      amount,
      currency: intent.currency,
      charge: intent.latest_charge,
      payment_intent: intent.id,
      created: now(),
      metadata: params.metadata ?? {},
      reason: params.reason ?? null,
      status: 'succeeded'
    }
    this.refunds.set(refund.id, refund)
    return refund
  }

  /** Finishes an intent waiting for the customer (3-D Secure done, or failed) as Stripe.js would. */
  finishAction(intentId: string, outcome: 'succeeded' | 'failed') {
    const intent = this.intent(intentId)
    if (outcome === 'succeeded') return this.authorized(intent)
    const error = {
      type: 'card_error',
      code: 'payment_intent_authentication_failure',
      message: 'Authentication failed.'
    }
    return Object.assign(intent, {
      status: 'requires_payment_method',
      next_action: null,
      last_payment_error: error
    })
  }

  /** docs.stripe.com/api/events/object: an event of `type` about `object`, as Stripe would send it. */
  event(type: string, object: Obj): Obj {
    return {
      id: id('evt'),
      object: 'event',
      api_version: '2026-11-18.endive',
      created: now(),
      data: { object: structuredClone(object) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type
    }
  }

  /**
   * Delivers `event` to `url` signed as Stripe signs (docs.stripe.com/webhooks#verify-events), with the SDK's own
   * `generateTestHeaderString`; `timestamp` and `secret` change to test stale and forged deliveries.
   */
  async deliver(url: string, event: Obj, { timestamp = now(), secret = this.webhookSecret } = {}) {
    const payload = JSON.stringify(event, null, 2)
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp })
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': header },
      body: payload
    })
    const text = await response.text()
    return { status: response.status, body: text ? JSON.parse(text) : undefined }
  }
}
