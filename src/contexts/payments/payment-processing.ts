import type { Behaviour } from '../../engine/runtime/behaviour'
import { answerAfterCommit } from './final-answer'
import { chargeAnswerError } from './charge-answer'
import { payOrder } from './pay-order'
import type { ChargeOutcome } from './payment-calls'

/**
 * `POST /payments {orderId, paymentMethod}`: the `payOrder` command. In the create's transaction it records the
 * payment as pending; after the commit the provider is asked and its answer recorded (a capture pays the order),
 * and the create answers the payment as it is then: `captured`, `failed`, or still `pending` when the provider did
 * not answer within `payments.providerTimeoutMs`; or an error naming the committed payment when the provider
 * declined it (402), refused the request (400, 422) or was unavailable (503, charge-answer.ts). Its events are the command's: one per record changed.
 */
export const paymentProcessing: Behaviour = {
  description:
    'the payOrder command: pending first, then the provider outside the transaction; a capture pays the order',
  around: {
    create: [
      async (context) => {
        const { orderId, paymentMethod } = context.data
        let charged: ChargeOutcome | undefined
        const onCharged = (outcome: ChargeOutcome) => (charged = outcome)
        context.result = await payOrder(context.app, { orderId, paymentMethod, onCharged }, context.params)
        context.event = null
        answerAfterCommit(context, 'payments', (payment) => chargeAnswerError(charged, payment))
      }
    ]
  }
}
