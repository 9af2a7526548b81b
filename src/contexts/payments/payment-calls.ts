import type { Application } from '../../declarations'
import type { StepParams } from '../../engine/runtime/guards-and-effects'
import { chargeKey, providerFor, type PaymentResult } from './provider'
import { ProviderTimeout, ProviderUnavailable, withinProviderTimeout } from './provider-call'
import { settlePayment } from './settle-payment'

// The provider's side of a payment, always after the commit of what asked for it (no transaction is open here).

type PaymentRow = Record<string, any>
type Caller = StepParams['user']

/**
 * What became of a charge call: an answer, no answer in time (`timeout`: it may have been taken), or a provider
 * that could not take it now (`unavailable`: an outage, a 5xx, a refused connection). Either of the last two
 * leaves the payment pending for the reconciler.
 */
export type ChargeOutcome<Answer = PaymentResult> =
  { answer: Answer } | { unanswered: 'timeout' | 'unavailable'; detail: string }

/** Asks the provider; no answer (a timeout, an error) leaves the payment pending for the reconciler. */
const call = async <Answer extends PaymentResult | undefined>(
  app: Application,
  payment: PaymentRow,
  what: string,
  work: () => Promise<Answer>
): Promise<ChargeOutcome<Answer>> => {
  try {
    return { answer: await withinProviderTimeout(app, `${what} of payment ${payment.id}`, work) }
  } catch (error) {
    app
      .get('logger')
      ?.warn(
        { err: error, paymentId: payment.id },
        `payment provider: no answer to the ${what}; the payment stays pending until the reconciler asks`
      )
    const unanswered = error instanceof ProviderTimeout ? 'timeout' : 'unavailable'
    return { unanswered, detail: error instanceof ProviderUnavailable ? error.detail : String(error) }
  }
}

const ask = async <Answer extends PaymentResult | undefined>(
  ...args: Parameters<typeof call<Answer>>
): Promise<Answer | undefined> => {
  const outcome = await call(...args)
  return 'answer' in outcome ? outcome.answer : undefined
}

/** Records the answer once (`settlePayment`); `user` is who asked for it, for the order's history. */
const settle = async (app: Application, payment: PaymentRow, answer: PaymentResult, user?: Caller) => {
  await settlePayment(app, { paymentId: payment.id, answer }, user ? { user } : {})
}

/** The charge of a payment just recorded as pending, with its id as the provider's idempotency key. */
export const chargePayment = async (app: Application, payment: PaymentRow, user?: Caller) => {
  const outcome = await call(app, payment, 'charge', () =>
    providerFor(app, payment.provider).charge({
      idempotencyKey: chargeKey(payment.id),
      paymentMethod: payment.paymentMethod,
      amountCents: payment.amountCents,
      currency: payment.currency
    })
  )
  if ('answer' in outcome) await settle(app, payment, outcome.answer, user)
  return outcome
}

/** The charge of a payment whose order was cancelled, released (or, if it was taken meanwhile, recorded). */
export const releasePayment = async (app: Application, payment: PaymentRow) => {
  const answer = await ask(app, payment, 'cancellation', () =>
    providerFor(app, payment.provider).cancel({
      idempotencyKey: chargeKey(payment.id),
      amountCents: payment.amountCents,
      currency: payment.currency
    })
  )
  if (answer) await settle(app, payment, answer)
}

/**
 * What the reconciler does with a payment left open: asks about its key; a key the provider never saw (a crash
 * before the call) is closed at the provider, so a charge arriving late is refused and nothing is taken twice.
 * A payment whose order is no longer pending is released. Answers whether anything was recorded.
 */
export const reconcilePayment = async (app: Application, payment: PaymentRow, orderStatus: string) => {
  const provider = providerFor(app, payment.provider)
  const release = () =>
    provider.cancel({
      idempotencyKey: chargeKey(payment.id),
      amountCents: payment.amountCents,
      currency: payment.currency
    })
  // Where the provider's lookup lags its writes, a young payment it does not report may still have been charged:
  // neither given up nor released until the lag has passed (the next run asks again).
  const ageSeconds = (Date.now() - new Date(payment.createdAt).getTime()) / 1000
  const lagging = ageSeconds < (provider.lookupLagSeconds ?? 0)
  const answer = await ask(app, payment, 'reconciliation', async () => {
    if (orderStatus !== 'pending' && !lagging) return release()
    const found = await provider.findCharge(chargeKey(payment.id))
    if (found) return orderStatus === 'pending' ? found : release()
    return lagging ? undefined : release()
  })
  if (!answer || (answer.status === 'pending' && answer.providerRef === payment.providerRef)) return false
  await settle(app, payment, answer)
  return true
}
