import { NotFound } from '@feathersjs/errors'
import { defineCommand, step } from '../../engine/runtime/command'
import { lockOrderAndPayment, orderMayBecome } from './order-payments'
import type { RefundResult } from './provider'

export interface SettleRefundInput {
  refundId: number
  /** What the provider said about the refund's key. */
  answer: RefundResult
}

interface SettleRefundState {
  order: Record<string, any>
  payment: Record<string, any>
  refund: Record<string, any>
  /** Whether this settlement recorded the answer (the refund was still pending). */
  settled: boolean
}

const refundStep = (name: string, run: Parameters<typeof step<SettleRefundInput, SettleRefundState>>[1]) =>
  step<SettleRefundInput, SettleRefundState>(name, run)

/** Order, payment, then refund rows locked: the order every payment flow locks them in. */
const lockRefund = refundStep('lockRefund', async ({ trx, input, state }) => {
  const found = await trx('refunds').where({ id: input.refundId }).first('paymentId')
  if (!found) throw new NotFound(`No refund found for refundId ${input.refundId}`)
  Object.assign(state, await lockOrderAndPayment(trx, found.paymentId))
  state.refund = await trx('refunds').where({ id: input.refundId }).forUpdate().first()
})

/** The answer, on a refund still pending: the first to settle it wins, the others change nothing. */
const recordAnswer = refundStep('recordAnswer', async ({ input, state, records }) => {
  const { refund } = state as SettleRefundState
  state.settled = refund.status === 'pending'
  if (!state.settled) return
  const { answer } = input
  state.refund = await records.patch(
    'refunds',
    refund.id,
    answer.status === 'succeeded'
      ? { status: 'succeeded', providerRef: answer.providerRef }
      : {
          status: 'failed',
          providerRef: answer.providerRef,
          failureReason: (answer.failureReason ?? 'refused by the payment provider').slice(0, 500)
        }
  )
})

const succeeded = (state: Partial<SettleRefundState>) => state.settled && state.refund!.status === 'succeeded'

const addToPayment = refundStep('addToPayment', async ({ state, records }) => {
  if (!succeeded(state)) return
  const { payment, refund } = state as SettleRefundState
  state.payment = await records.patch('payments', payment.id, {
    refundedCents: payment.refundedCents + refund.amountCents
  })
})

/**
 * The order's refunded amount, then its status (a transition of its own): `refunded` once the whole capture
 * is refunded, else `partially_refunded`. An order with no transition to the target (a cancelled order, for
 * a partial refund) keeps its status and records the amount.
 */
const addToOrder = refundStep('addToOrder', async ({ app, state, records }) => {
  if (!succeeded(state)) return
  const { order, payment, refund } = state as SettleRefundState
  await records.patch('orders', order.id, { refundedCents: order.refundedCents + refund.amountCents })
  const target = payment.refundedCents >= payment.capturedCents ? 'refunded' : 'partially_refunded'
  if (order.status !== target && orderMayBecome(app, order.status, target))
    await records.patch('orders', order.id, { status: target })
})

/**
 * `settleRefund`: records what the provider said about a refund, in a transaction of its own, once. A success
 * adds the amount to the payment and the order and moves the order; a refusal is recorded `failed` and changes
 * nothing else (the amount is refundable again). Used after `refundPayment` has committed and asked the provider,
 * and by the reconciler (src/contexts/payments/reconcile.ts).
 */
export const settleRefund = defineCommand<SettleRefundInput, SettleRefundState, Record<string, any>>(
  'settleRefund',
  [lockRefund, recordAnswer, addToPayment, addToOrder],
  ({ state }) => state.refund!
)
