import type { Behaviour } from '../../engine/runtime/behaviour'
import { answerAfterCommit } from './final-answer'
import { refundPayment } from './refund-payment'

/**
 * `POST /refunds {paymentId, amountCents, reason}` (support, admin): the `refundPayment` command. In the create's
 * transaction it records the refund as pending; after the commit the provider is asked and its answer recorded
 * (a success adds to the payment and order), and the create answers the refund as it is then: `succeeded`,
 * `failed`, or still `pending` when the provider did not answer in time. Its events are the command's.
 */
export const refundProcessing: Behaviour = {
  description: 'the refundPayment command: pending first, then the provider outside the transaction',
  around: {
    create: [
      async (context) => {
        const { paymentId, amountCents, reason } = context.data
        context.result = await refundPayment(context.app, { paymentId, amountCents, reason }, context.params)
        context.event = null
        answerAfterCommit(context, 'refunds')
      }
    ]
  }
}
