import { BadGateway, BadRequest, Conflict, FeathersError } from '@feathersjs/errors'
import type { Knex } from 'knex'
import type { Behaviour } from '../../engine/runtime/behaviour'
import { lockOrderAndPayment, orderMayBecome } from './order-payments'
import { providerFor } from './provider'

/**
 * `POST /refunds {paymentId, amountCents, reason}` (support, admin): gives back part or all of a captured
 * payment. The order and payment rows are locked in the create's transaction, so concurrent refunds of one
 * payment run one after the other and their sum never exceeds the captured amount. Then, in the same
 * transaction: the refund row, the payment's `refundedCents`, the order's `refundedCents` and status
 * (`partially_refunded`, or `refunded` once the whole capture is refunded), and last the provider's refund
 * (a provider failure rolls everything back).
 */
export const refundProcessing: Behaviour = {
  description: 'refunds within the captured amount, under a row lock; updates payment and order',
  around: {
    create: [
      async (context, next) => {
        const { app, params } = context
        const trx: Knex.Transaction = params.transaction.trx
        const { paymentId, amountCents } = context.data
        const locked = await lockOrderAndPayment(trx, paymentId)
        if (!locked) {
          throw new BadRequest('paymentId refers to a record that does not exist', {
            field: 'paymentId',
            errors: [{ field: 'paymentId', message: 'refers to a record that does not exist' }]
          })
        }
        const { order, payment } = locked
        if (payment.status !== 'captured') {
          throw new Conflict(
            `Payment ${payment.id} is ${payment.status}; only a captured payment can be refunded`,
            {
              field: 'paymentId',
              status: payment.status
            }
          )
        }
        const refundableCents = payment.capturedCents - payment.refundedCents
        if (amountCents > refundableCents) {
          throw new Conflict(
            `amountCents ${amountCents} is above what payment ${payment.id} has left to refund: ${refundableCents}`,
            {
              field: 'amountCents',
              refundableCents,
              capturedCents: payment.capturedCents,
              refundedCents: payment.refundedCents
            }
          )
        }
        // orderId and userId follow the payment (derived in refunds.yaml).
        context.data = {
          ...context.data,
          currency: payment.currency,
          createdBy: params.user?.id ?? null
        }
        await next()
        const refund = context.result
        const transaction = { transaction: params.transaction }

        const paymentRefunded = payment.refundedCents + amountCents
        await app.service('payments').patch(payment.id, { refundedCents: paymentRefunded }, transaction)

        // The order's amount, then its status: a status change is a transition of its own (orders accept
        // `status` alone). An order whose status has no transition to the target (say, cancelled, for a
        // partial refund) keeps its status and records the amount.
        await app
          .service('orders')
          .patch(order.id, { refundedCents: order.refundedCents + amountCents }, transaction)
        const target = paymentRefunded >= payment.capturedCents ? 'refunded' : 'partially_refunded'
        if (order.status !== target && orderMayBecome(app, order.status, target)) {
          await app.service('orders').patch(order.id, { status: target }, transaction)
        }

        // Last, so that nothing after it can fail and leave money refunded with no record of it.
        const provider = providerFor(app)
        let answer
        try {
          answer = await provider.refund({
            providerRef: payment.providerRef,
            amountCents,
            currency: payment.currency,
            reference: `refund-${refund.id}`
          })
        } catch (error) {
          if (error instanceof FeathersError) throw error
          throw new BadGateway('The payment provider did not answer; nothing was refunded, retry the request')
        }
        if (answer.status !== 'succeeded') {
          throw new BadGateway(
            `The payment provider refused the refund: ${answer.failureReason ?? 'no reason given'}`
          )
        }
        const [stored] = await trx('refunds')
          .where({ id: refund.id })
          .update({ providerRef: answer.providerRef })
          .returning('*')
        context.result = stored
      }
    ]
  }
}
