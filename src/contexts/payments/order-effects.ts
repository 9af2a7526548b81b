import type { Effect } from '../../engine/runtime/guards-and-effects'
import { cancelOpenPayments, markOrderPaid } from './order-payments'
import { refundPayment } from './refund-payment'

/** A cancelled order's pending payments are cancelled: a late capture must not charge a cancelled order. */
export const cancelOrderPayments: Effect = async ({ app, params, record }) => {
  await cancelOpenPayments(app, record.id, params)
}

/** A paid order cancelled by an admin is refunded in full: the `refundPayment` command, in its transaction. */
export const refundOrderInFull: Effect = async ({ app, params, record }) => {
  const payment = await params.transaction
    .trx('payments')
    .where({ orderId: record.id, status: 'captured' })
    .first()
  if (!payment) return
  const amountCents = payment.capturedCents - payment.refundedCents
  if (amountCents <= 0) return
  await refundPayment(app, { paymentId: payment.id, amountCents, reason: 'order cancelled' }, params)
}

/** A payment captured (by a webhook, after a pending answer) pays its order, in the same transaction. */
export const payCapturedOrder: Effect = async ({ app, params, record }) => {
  await markOrderPaid(app, record, params)
}
