import type { Behaviour } from '../../engine/runtime/behaviour'
import { answerAfterCommit } from './final-answer'
import { payOrder } from './pay-order'

/**
 * `POST /payments {orderId, paymentMethod}`: the `payOrder` command. In the create's transaction it records the
 * payment as pending; after the commit the provider is asked and its answer recorded (a capture pays the order),
 * and the create answers the payment as it is then: `captured`, `failed`, or still `pending` when the provider did
 * not answer within `payments.providerTimeoutMs`. Its events are the command's: one per record changed.
 */
export const paymentProcessing: Behaviour = {
  description:
    'the payOrder command: pending first, then the provider outside the transaction; a capture pays the order',
  around: {
    create: [
      async (context) => {
        const { orderId, paymentMethod } = context.data
        context.result = await payOrder(context.app, { orderId, paymentMethod }, context.params)
        context.event = null
        answerAfterCommit(context, 'payments')
      }
    ]
  }
}
