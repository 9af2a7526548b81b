import { BadGateway, BadRequest, Conflict, FeathersError } from '@feathersjs/errors'
import { defineCommand, step } from '../../engine/runtime/command'
import { lockOrderAndPayment, orderMayBecome } from './order-payments'
import { providerFor, type RefundResult } from './provider'

export interface RefundInput {
  paymentId: number
  amountCents: number
  reason: string
}

interface RefundState {
  order: Record<string, any>
  payment: Record<string, any>
  refund: Record<string, any>
  answer: RefundResult
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

/** Only a captured payment, and never more than it has left. */
const checkRefundable = step<RefundInput, RefundState>('checkRefundable', ({ input, state }) => {
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
  const refundableCents = payment.capturedCents - payment.refundedCents
  if (input.amountCents > refundableCents) {
    throw new Conflict(
      `amountCents ${input.amountCents} is above what payment ${payment.id} has left to refund: ${refundableCents}`,
      {
        field: 'amountCents',
        refundableCents,
        capturedCents: payment.capturedCents,
        refundedCents: payment.refundedCents
      }
    )
  }
})

/** The refund row (its order and owner derived from the payment), in the payment's currency. */
const recordRefund = step<RefundInput, RefundState>(
  'recordRefund',
  async ({ input, state, records, params }) => {
    state.refund = await records.create('refunds', {
      paymentId: input.paymentId,
      amountCents: input.amountCents,
      reason: input.reason,
      currency: state.payment!.currency,
      createdBy: params.user?.id ?? null
    })
  }
)

const addToPayment = step<RefundInput, RefundState>('addToPayment', async ({ input, state, records }) => {
  const payment = state.payment!
  state.payment = await records.patch('payments', payment.id, {
    refundedCents: payment.refundedCents + input.amountCents
  })
})

/**
 * The order's refunded amount, then its status (a transition of its own): `refunded` once the whole capture
 * is refunded, else `partially_refunded`. An order with no transition to the target (a cancelled order, for
 * a partial refund) keeps its status and records the amount.
 */
const addToOrder = step<RefundInput, RefundState>('addToOrder', async ({ app, input, state, records }) => {
  const { order, payment } = state as RefundState
  await records.patch('orders', order.id, { refundedCents: order.refundedCents + input.amountCents })
  const target = payment.refundedCents >= payment.capturedCents ? 'refunded' : 'partially_refunded'
  if (order.status !== target && orderMayBecome(app, order.status, target))
    await records.patch('orders', order.id, { status: target })
})

/** Last but one, so that nothing after it can fail and leave money refunded with no record of it. */
const refundAtProvider = step<RefundInput, RefundState>('refundAtProvider', async ({ app, input, state }) => {
  const { payment, refund } = state as RefundState
  try {
    state.answer = await providerFor(app).refund({
      providerRef: payment.providerRef,
      amountCents: input.amountCents,
      currency: payment.currency,
      reference: `refund-${refund.id}`
    })
  } catch (error) {
    if (error instanceof FeathersError) throw error
    throw new BadGateway('The payment provider did not answer; nothing was refunded, retry the request')
  }
  if (state.answer.status !== 'succeeded') {
    throw new BadGateway(
      `The payment provider refused the refund: ${state.answer.failureReason ?? 'no reason given'}`
    )
  }
})

const recordProviderRef = step<RefundInput, RefundState>('recordProviderRef', async ({ state, records }) => {
  state.refund = await records.patch('refunds', state.refund!.id, { providerRef: state.answer!.providerRef })
})

/**
 * `refundPayment`: gives back part or all of a captured payment — the refund, the payment's and the order's
 * refunded amounts, the order's status, and the provider's refund, all or nothing. Called by
 * `POST /refunds` and by the `refundOrderInFull` effect of an admin's cancellation.
 */
export const refundPayment = defineCommand<RefundInput, RefundState, Record<string, any>>(
  'refundPayment',
  [lockPayment, checkRefundable, recordRefund, addToPayment, addToOrder, refundAtProvider, recordProviderRef],
  ({ state }) => state.refund!
)
