import type { Behaviour } from '../../engine/runtime/behaviour'
import { refundPayment } from './refund-payment'

/**
 * `POST /refunds {paymentId, amountCents, reason}` (support, admin): the `refundPayment` command, in the
 * create's transaction. The command writes the refund (and the payment and order it changes) itself, so the
 * create writes nothing more, and its events are the command's: one per record changed.
 */
export const refundProcessing: Behaviour = {
  description: 'the refundPayment command: refunds within the captured amount, updating payment and order',
  around: {
    create: [
      async (context) => {
        const { paymentId, amountCents, reason } = context.data
        context.result = await refundPayment(context.app, { paymentId, amountCents, reason }, context.params)
        context.event = null
      }
    ]
  }
}
