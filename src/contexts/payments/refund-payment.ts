import { BadRequest, Conflict } from '@feathersjs/errors'
import type { Knex } from 'knex'
import { afterCommit } from '../../engine/runtime/after-commit'
import { defineCommand, step } from '../../engine/runtime/command'
import { lockOrderAndPayment } from './order-payments'
import { sendRefund } from './refund-calls'

export interface RefundInput {
  paymentId: number
  amountCents: number
  reason: string
}

interface RefundState {
  order: Record<string, any>
  payment: Record<string, any>
  refund: Record<string, any>
}

/**
 * What a captured payment has left to refund: captured, less what was refunded and what refunds still pending at
 * the provider hold (read with the payment row locked, so concurrent refunds see each other).
 */
export const refundableCents = async (trx: Knex.Transaction, payment: Record<string, any>) => {
  const pending = await trx('refunds')
    .where({ paymentId: payment.id, status: 'pending' })
    .sum({ cents: 'amountCents' })
    .first()
  return payment.capturedCents - payment.refundedCents - Number(pending?.cents ?? 0)
}

/** The order row, then the payment row, locked: concurrent refunds of one payment run one after the other. */
const lockPayment = step<RefundInput, RefundState>('lockPayment', async ({ trx, input, state }) => {
  const locked = await lockOrderAndPayment(trx, input.paymentId)
  if (!locked) {
    throw new BadRequest('paymentId refers to a record that does not exist', {
      field: 'paymentId',
      errors: [{ field: 'paymentId', message: 'refers to a record that does not exist' }]
    })
  }
  Object.assign(state, locked)
})

/** Only a captured payment, and never more than it has left (refunds pending at the provider count). */
const checkRefundable = step<RefundInput, RefundState>('checkRefundable', async ({ trx, input, state }) => {
  const payment = state.payment!
  if (payment.status !== 'captured') {
    throw new Conflict(
      `Payment ${payment.id} is ${payment.status}; only a captured payment can be refunded`,
      {
        field: 'paymentId',
        status: payment.status
      }
    )
  }
  const left = await refundableCents(trx, payment)
  if (input.amountCents > left) {
    throw new Conflict(
      `amountCents ${input.amountCents} is above what payment ${payment.id} has left to refund: ${left}`,
      {
        field: 'amountCents',
        refundableCents: left,
        capturedCents: payment.capturedCents,
        refundedCents: payment.refundedCents,
        pendingCents: payment.capturedCents - payment.refundedCents - left
      }
    )
  }
})

/** The refund row, `pending` (its order and owner derived from the payment), in the payment's currency. */
const recordRefund = step<RefundInput, RefundState>(
  'recordRefund',
  async ({ input, state, records, params }) => {
    state.refund = await records.create('refunds', {
      paymentId: input.paymentId,
      amountCents: input.amountCents,
      reason: input.reason,
      status: 'pending',
      currency: state.payment!.currency,
      createdBy: params.user?.id ?? null
    })
  }
)

/** The provider is asked after the commit: no row lock is held while it answers (refund-calls.ts). */
const refundAfterCommit = step<RefundInput, RefundState>('refundAfterCommit', ({ app, trx, state }) => {
  const refund = state.refund!
  afterCommit(app, trx, `refunds: refund ${refund.id}`, () => sendRefund(app, refund))
})

/**
 * `refundPayment`: gives back part or all of a captured payment, in two phases. In the caller's transaction: the
 * order and payment locked, the amount checked against what is left, the refund recorded `pending`. After the
 * commit: the provider asked with the refund's id as its idempotency key, and its answer recorded by
 * `settleRefund` (a success adds to the payment's and the order's refunded amounts and moves the order). Called
 * by `POST /refunds`, by the `refundOrderInFull` effect of an admin's cancellation, and for a capture that
 * arrived after its order was cancelled.
 */
export const refundPayment = defineCommand<RefundInput, RefundState, Record<string, any>>(
  'refundPayment',
  [lockPayment, checkRefundable, recordRefund, refundAfterCommit],
  ({ state }) => state.refund!
)
