import type { Behaviour } from '../../engine/runtime/behaviour'
import { payOrder } from './pay-order'

/**
 * `POST /payments {orderId, paymentMethod}`: the `payOrder` command, in the create's transaction. The command
 * records the payment (and, through the `capture` transition's effect, pays the order), so the create writes
 * nothing more and its events are the command's: one per record changed.
 */
export const paymentProcessing: Behaviour = {
  description: 'the payOrder command: payments through the configured provider; a capture pays the order',
  around: {
    create: [
      async (context) => {
        const { orderId, paymentMethod } = context.data
        context.result = await payOrder(context.app, { orderId, paymentMethod }, context.params)
        context.event = null
      }
    ]
  }
}
