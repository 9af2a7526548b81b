import { afterCommit } from '../../engine/runtime/after-commit'
import type { Effect } from '../../engine/runtime/guards-and-effects'
import { OPEN_STATUSES } from './order-payments'
import { markOrderPaid } from './pay-captured-order'
import { releasePayment } from './payment-calls'
import { refundableCents, refundPayment } from './refund-payment'

/**
 * A cancelled order's open payments are released at the provider after the commit, then recorded `cancelled`
 * (a charge the provider took meanwhile is recorded and refunded instead). A crash in between leaves them
 * pending for the reconciler, which releases the open payments of orders no longer pending.
 */
export const cancelOrderPayments: Effect = async ({ app, params, record }) => {
  const { trx } = params.transaction
  const open = await trx('payments')
    .where({ orderId: record.id })
    .whereIn('status', [...OPEN_STATUSES])
    .orderBy('id')
  for (const payment of open) {
    afterCommit(app, trx, `payments: release ${payment.id}`, () => releasePayment(app, payment))
  }
}

/**
 * A paid order cancelled by an admin is refunded in full: the `refundPayment` command records the refund in
 * this transaction, and the provider gives the money back after the commit.
 */
export const refundOrderInFull: Effect = async ({ app, params, record }) => {
  const { trx } = params.transaction
  const payment = await trx('payments').where({ orderId: record.id, status: 'captured' }).forUpdate().first()
  if (!payment) return
  // What refunds made or still pending at the provider have not already given back.
  const amountCents = await refundableCents(trx, payment)
  if (amountCents <= 0) return
  await refundPayment(app, { paymentId: payment.id, amountCents, reason: 'order cancelled' }, params)
}

/** A payment captured (the provider's answer, a webhook, the reconciler) pays its order, in the same transaction. */
export const payCapturedOrder: Effect = async ({ app, params, record }) => {
  await markOrderPaid(app, record, params)
}
