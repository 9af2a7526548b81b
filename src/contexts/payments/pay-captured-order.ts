import type { Application } from '../../declarations'
import { unmetRequirement } from '../../engine/pipeline/transition-steps'
import { ordersDeclaration, trxOf, type TransactionParams } from './order-payments'
import { refundableCents, refundPayment } from './refund-payment'

/** Why a capture that arrived after its order's cancellation is given back. */
export const CAPTURED_AFTER_CANCELLATION = 'captured after the order was cancelled'

/**
 * A captured payment pays its order — in the same transaction, through the orders service (an internal call:
 * the `pay` transition is `by: system`). Only a pending order whose total the capture covers becomes `paid`. A
 * capture that arrives for an order cancelled meanwhile (the provider took it while the cancellation was
 * releasing it) is refunded in full; anything else (a total changed, a required field unset) is logged and
 * left for support, who can refund the payment.
 */
export const markOrderPaid = async (
  app: Application,
  payment: Record<string, any>,
  params: TransactionParams
) => {
  const trx = trxOf(params)
  const order = await trx('orders').where({ id: payment.orderId }).forUpdate().first()
  if (order.status === 'cancelled') {
    const amountCents = await refundableCents(trx, payment)
    if (amountCents > 0)
      await refundPayment(
        app,
        { paymentId: payment.id, amountCents, reason: CAPTURED_AFTER_CANCELLATION },
        params as any
      )
    return
  }
  const covers = payment.capturedCents >= order.totalCents && payment.currency === order.currency
  const pay = ordersDeclaration(app)?.states?.transitions.pay
  const lacking = pay && unmetRequirement(pay, order)
  if (order.status !== 'pending' || !covers || lacking) {
    app.get('logger')?.warn(
      {
        paymentId: payment.id,
        orderId: order.id,
        orderStatus: order.status,
        capturedCents: payment.capturedCents,
        totalCents: order.totalCents,
        lacking
      },
      'captured payment did not pay its order (order no longer pending, total changed, or a required field unset): refund it'
    )
    return
  }
  await app.service('orders').patch(order.id, { status: 'paid' }, { transaction: params.transaction })
}
