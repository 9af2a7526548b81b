import { BadRequest, PaymentError, Unavailable, Unprocessable } from '@feathersjs/errors'
import type { ChargeOutcome } from './payment-calls'

/** How long a client should wait before asking again after the provider was unavailable (`Retry-After`). */
export const PROVIDER_RETRY_AFTER_SECONDS = 30

/**
 * The error `POST /payments` answers for what the provider said, or nothing (the payment as recorded is the
 * answer). The payment is committed either way; `data.paymentId` names it. A card declined is a 402 with the
 * provider's decline code; a method the provider does not know, a 400 naming `paymentMethod`; another refusal of
 * the request, a 422 with the provider's code; an unavailable provider, a 503 with `Retry-After` (the payment
 * stays pending and the reconciler settles it). A timeout is not an error: the payment is answered `pending`.
 */
export const chargeAnswerError = (outcome: ChargeOutcome | undefined, payment: Record<string, any>) => {
  const paymentId = payment.id
  if (!outcome) return undefined
  if ('unanswered' in outcome) {
    if (outcome.unanswered !== 'unavailable' || payment.status !== 'pending') return undefined
    return new Unavailable(
      `The ${payment.provider} payment provider is unavailable; payment ${paymentId} stays pending and is settled ` +
        'when the provider answers again (retry the GET, not the payment)',
      { paymentId, status: payment.status, retryAfter: PROVIDER_RETRY_AFTER_SECONDS }
    )
  }
  const { answer } = outcome
  if (answer.status !== 'failed' || payment.status !== 'failed') return undefined
  const reason = payment.failureReason ?? answer.failureReason
  if (answer.declineCode)
    return new PaymentError(`Payment ${paymentId} was declined: ${reason}`, {
      paymentId,
      status: payment.status,
      declineCode: answer.declineCode
    })
  if (answer.invalidField)
    return new BadRequest(`Invalid data: ${answer.invalidField} was refused by the payment provider`, {
      paymentId,
      errors: [
        { field: answer.invalidField, message: `was refused by the ${payment.provider} payment provider` }
      ]
    })
  if (answer.providerCode)
    return new Unprocessable(
      `Payment ${paymentId} was refused by the ${payment.provider} payment provider: ${reason}`,
      {
        paymentId,
        status: payment.status,
        code: answer.providerCode
      }
    )
  return undefined
}
