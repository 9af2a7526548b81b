import { NotFound } from '@feathersjs/errors'
import { defineCommand, step } from '../../engine/runtime/command'
import type { PaymentPatch } from '../../generated/types'
import { OPEN_STATUSES, lockOrderAndPayment } from './order-payments'
import type { PaymentResult } from './provider'

export interface SettlePaymentInput {
  paymentId: number
  /** What the provider said about the payment's key. */
  answer: PaymentResult
}

interface SettleState {
  order: Record<string, any>
  payment: Record<string, any>
}

const settleStep = (name: string, run: Parameters<typeof step<SettlePaymentInput, SettleState>>[1]) =>
  step<SettlePaymentInput, SettleState>(name, run)

/** Why a payment whose charge never reached the provider failed, for the customer and support. */
export const INTERRUPTED = 'interrupted before the payment provider took it (nothing was charged): pay again'

/** The order row, then the payment row, locked, as every payment flow locks them. */
const lockPayment = settleStep('lockPayment', async ({ trx, input, state }) => {
  const locked = await lockOrderAndPayment(trx, input.paymentId)
  if (!locked) throw new NotFound(`No payment found for paymentId ${input.paymentId}`)
  Object.assign(state, locked)
})

/** The change an answer makes to an open payment; a cancelled charge of a pending order was interrupted. */
const changeFor = ({ answer }: SettlePaymentInput, payment: Record<string, any>, orderStatus: string) => {
  // A settled payment needs no client secret any more: it is not kept where it could be read.
  const settled = {
    providerRef: answer.providerRef || payment.providerRef || null,
    clientSecret: null,
    nextAction: null
  }
  switch (answer.status) {
    case 'captured':
      return { ...settled, status: 'captured', capturedCents: payment.amountCents, failureReason: null }
    case 'failed':
      return {
        ...settled,
        status: 'failed',
        failureReason: answer.failureReason?.slice(0, 500) ?? null,
        declineCode: answer.declineCode?.slice(0, 64) ?? null
      }
    case 'cancelled':
      return orderStatus === 'pending'
        ? { ...settled, status: 'failed', failureReason: INTERRUPTED }
        : { ...settled, status: 'cancelled' }
    default:
      return pendingChange(answer, payment)
  }
}

/** Still pending at the provider (a webhook will tell): only its reference and what the client needs are news. */
const pendingChange = (answer: PaymentResult, payment: Record<string, any>) => {
  const change = {
    providerRef: answer.providerRef,
    clientSecret: answer.clientSecret ?? null,
    nextAction: answer.nextAction ?? null
  }
  const same = Object.entries(change).every(([field, value]) => (payment[field] ?? null) === value)
  return same ? undefined : change
}

/**
 * The answer recorded, if the payment is still open: the first to settle it (the request that charged it, the
 * reconciler, a webhook) wins and the others change nothing. A capture is the `capture` transition, whose
 * effect pays the order.
 */
const record = settleStep('record', async ({ input, state, records }) => {
  const { order, payment } = state as SettleState
  if (!(OPEN_STATUSES as readonly string[]).includes(payment.status)) return
  const change = changeFor(input, payment, order.status) as PaymentPatch | undefined
  if (change) state.payment = await records.patch('payments', payment.id, change)
})

/**
 * `settlePayment`: records what the provider said about a payment's charge, in a transaction of its own, once.
 * Used after `POST /payments` has committed its pending payment and asked the provider, by an order's
 * cancellation after it released the charge, and by the reconciler (src/contexts/payments/reconcile.ts).
 */
export const settlePayment = defineCommand<SettlePaymentInput, SettleState, Record<string, any>>(
  'settlePayment',
  [lockPayment, record],
  ({ state }) => state.payment!
)
