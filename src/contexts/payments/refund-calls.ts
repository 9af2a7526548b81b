import type { Application } from '../../declarations'
import { providerFor, refundKey, type RefundResult } from './provider'
import { withinProviderTimeout } from './provider-call'
import { settleRefund } from './settle-refund'

// The provider's side of a refund, always after the commit of the pending refund (no transaction is open here).

type RefundRow = Record<string, any>

/** The payment refunded: its provider (the one that took it), reference and currency. */
const paymentOf = (app: Application, refund: RefundRow) =>
  app.get('knex')('payments').where({ id: refund.paymentId }).first('provider', 'providerRef', 'currency')

/** The refund at the provider with the refund's id as the key (a repeat gives back nothing more). */
const refundAtProvider = async (app: Application, refund: RefundRow): Promise<RefundResult> => {
  const payment = await paymentOf(app, refund)
  return providerFor(app, payment.provider).refund({
    idempotencyKey: refundKey(refund.id),
    providerRef: payment.providerRef,
    amountCents: refund.amountCents,
    currency: payment.currency
  })
}

/** Asks the provider; no answer (a timeout, an error) leaves the refund pending for the reconciler. */
const ask = async (app: Application, refund: RefundRow, call: () => Promise<RefundResult>) => {
  try {
    return await withinProviderTimeout(app, `refund ${refund.id}`, call)
  } catch (error) {
    app
      .get('logger')
      ?.warn(
        { err: error, refundId: refund.id },
        'payment provider: no answer to a refund; it stays pending until the reconciler asks'
      )
    return undefined
  }
}

/** A refund just recorded as pending, given back by the provider and recorded (`settleRefund`). */
export const sendRefund = async (app: Application, refund: RefundRow) => {
  const answer = await ask(app, refund, () => refundAtProvider(app, refund))
  if (answer) await settleRefund(app, { refundId: refund.id, answer }, {})
}

/**
 * What the reconciler does with a refund left pending: asks about its key, and makes the refund when the
 * provider never saw it (a crash before the call). The refund was decided and committed; its key makes the
 * repeat safe.
 */
export const reconcileRefund = async (app: Application, refund: RefundRow) => {
  const answer = await ask(app, refund, async () => {
    const payment = await paymentOf(app, refund)
    const found = await providerFor(app, payment.provider).findRefund(
      refundKey(refund.id),
      payment.providerRef
    )
    return found ?? refundAtProvider(app, refund)
  })
  if (answer) await settleRefund(app, { refundId: refund.id, answer }, {})
  return !!answer
}
