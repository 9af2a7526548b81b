import type Stripe from 'stripe'
import { CURRENCIES, type Currency } from '../../../generated/vocabularies'
import type { PaymentEvent } from '../webhook-event'
import { fromStripeAmount } from './amounts'

/** The Stripe events this server acts on (enable them on the endpoint in Stripe's Dashboard). */
export const STRIPE_HANDLED_EVENTS = [
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.canceled'
] as const

/** Our payment id from the intent's metadata (`key: payment-<id>`, set by StripeProvider.charge). */
const paymentIdOf = (intent: Stripe.PaymentIntent) => {
  const match = /^payment-(\d{1,15})$/.exec(intent.metadata?.key ?? '')
  return match ? Number(match[1]) : undefined
}

const currencyOf = (intent: Stripe.PaymentIntent) => {
  const upper = intent.currency?.toUpperCase()
  return (CURRENCIES as readonly string[]).includes(upper) ? (upper as Currency) : undefined
}

/**
 * A verified Stripe event in the words of our payment events (src/contexts/payments/apply-payment-event.ts), or
 * why it is acknowledged and ignored: a type we do not act on, or an intent that is not one of our payments. The
 * event id is prefixed with the provider, so no other provider's id can collide with it.
 */
export const toPaymentEvent = (event: Stripe.Event): PaymentEvent | { ignored: string } => {
  if (!(STRIPE_HANDLED_EVENTS as readonly string[]).includes(event.type))
    return { ignored: `event type ${event.type} is not handled` }
  const intent = event.data.object as Stripe.PaymentIntent
  const paymentId = paymentIdOf(intent)
  const currency = currencyOf(intent)
  if (!paymentId || !currency) return { ignored: `payment intent ${intent.id} is not a payment of this API` }
  const base = { id: `stripe:${event.id}`, paymentId, providerRef: intent.id }
  if (event.type === 'payment_intent.succeeded') {
    const amountCents = fromStripeAmount(intent.amount_received || intent.amount, currency)
    return { ...base, type: 'payment.captured', amountCents, currency }
  }
  const error = intent.last_payment_error
  return {
    ...base,
    type: 'payment.failed',
    failureReason:
      event.type === 'payment_intent.canceled'
        ? `cancelled at Stripe${intent.cancellation_reason ? ` (${intent.cancellation_reason})` : ''}`
        : (error?.message ?? 'the payment failed at Stripe'),
    ...(error && { declineCode: error.decline_code ?? error.code })
  }
}

/** The event as stored with its record: without the intent's client secret (staff read the events). */
export const storablePayload = (event: Stripe.Event) => {
  const copy = structuredClone(event) as any
  if (copy.data?.object?.client_secret) copy.data.object.client_secret = '[removed]'
  return copy
}
