import Stripe from 'stripe'
import type { PaymentResult, RefundResult } from '../provider'
import { ProviderUnavailable } from '../provider-call'

// Stripe's answers in the provider interface's words (docs.stripe.com/payments/paymentintents/lifecycle).

/** What a client must still do for an intent Stripe holds (docs.stripe.com/payments/3d-secure). */
const forTheClient = (intent: Stripe.PaymentIntent) => ({
  ...(intent.client_secret && { clientSecret: intent.client_secret }),
  ...(intent.next_action?.type && { nextAction: intent.next_action.type })
})

const declined = (error: Stripe.PaymentIntent['last_payment_error'], providerRef: string): PaymentResult => ({
  status: 'failed',
  providerRef,
  failureReason: error?.message ?? 'declined by the card issuer',
  declineCode: error?.decline_code ?? error?.code ?? 'card_declined'
})

/**
 * `succeeded` is taken; `requires_action` (3-D Secure), `processing`, `requires_confirmation` and
 * `requires_capture` wait (a webhook tells); `requires_payment_method` after a confirmation is a refusal;
 * `canceled` is released.
 */
export const chargeResult = (intent: Stripe.PaymentIntent): PaymentResult => {
  switch (intent.status) {
    case 'succeeded':
      return { status: 'captured', providerRef: intent.id }
    case 'canceled':
      return { status: 'cancelled', providerRef: intent.id }
    case 'requires_payment_method':
      return declined(intent.last_payment_error, intent.id)
    default:
      return { status: 'pending', providerRef: intent.id, ...forTheClient(intent) }
  }
}

export const refundResult = (refund: Stripe.Refund): RefundResult =>
  refund.status === 'failed' || refund.status === 'canceled'
    ? {
        status: 'failed',
        providerRef: refund.id,
        failureReason: `refund ${refund.status}${refund.failure_reason ? `: ${refund.failure_reason}` : ''}`
      }
    : // `pending` and `requires_action` refunds are accepted by Stripe and complete on their own (no money is
      // taken back by us afterwards); `refund.updated` webhooks would only report a late failure.
      { status: 'succeeded', providerRef: refund.id }

/**
 * A Stripe error as an answer: a card decline (402) is a refused charge with its decline code; an invalid request
 * (400) is a refusal naming what was wrong (an unknown PaymentMethod names `paymentMethod`); anything else (5xx,
 * connection, rate limit, a rejected key) is `ProviderUnavailable`: nothing is known, the reconciler asks later.
 */
export const chargeErrorResult = (error: unknown): PaymentResult => {
  if (error instanceof Stripe.errors.StripeCardError) {
    const intent = (error as any).payment_intent as Stripe.PaymentIntent | undefined
    return declined(
      { message: error.message, decline_code: error.decline_code, code: error.code } as any,
      intent?.id ?? ''
    )
  }
  if (error instanceof Stripe.errors.StripeInvalidRequestError) {
    const intent = (error as any).payment_intent as Stripe.PaymentIntent | undefined
    return {
      status: 'failed',
      providerRef: intent?.id ?? '',
      failureReason: `refused by Stripe: ${error.message}`.slice(0, 500),
      ...(error.param === 'payment_method' ? { invalidField: 'paymentMethod' } : {}),
      providerCode: error.code ?? 'invalid_request'
    }
  }
  throw unavailable(error)
}

export const unavailable = (error: unknown) => {
  if (error instanceof ProviderUnavailable) return error
  const stripeError = error instanceof Stripe.errors.StripeError ? error : undefined
  const detail = stripeError
    ? `${stripeError.type}${stripeError.statusCode ? ` ${stripeError.statusCode}` : ''}: ${stripeError.message}`
    : String((error as Error)?.message ?? error)
  return new ProviderUnavailable('stripe', detail)
}
