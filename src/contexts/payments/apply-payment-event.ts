import { NotFound } from '@feathersjs/errors'
import type { Knex } from 'knex'
import { tableName } from '../../engine/declarations/declaration'
import { defineCommand, step } from '../../engine/runtime/command'
import type { PaymentPatch } from '../../generated/types'
import { OPEN_STATUSES, lockOrderAndPayment } from './order-payments'
import { contradictions, type Contradiction, type PaymentEvent } from './webhook-event'

const EVENTS_TABLE = tableName('payment-events')

export interface PaymentEventInput {
  event: PaymentEvent
  /** The event as received, kept with its record. */
  payload: unknown
}

export type WebhookOutcome =
  | { received: true; duplicate: true }
  | { received: true; ignored: string; paymentId?: number }
  | { received: true; paymentId: number; status: string }

/** An event the payment contradicts: recorded as `rejected` (committed), then answered 422. */
export type Rejection = { rejected: Contradiction[]; paymentId: number }

interface EventState {
  payment: Record<string, any>
  rejected: Contradiction[]
  open: boolean
  outcome: WebhookOutcome | Rejection
}

const eventStep = (name: string, run: Parameters<typeof step<PaymentEventInput, EventState>>[1]) =>
  step<PaymentEventInput, EventState>(name, run)

const rejectionDetail = (rejected: Contradiction[]) =>
  `refused: ${rejected.map((c) => `${c.field} ${c.message}`).join('; ')}`.slice(0, 500)

/** The order and payment rows locked, in that order (as every payment flow locks them). */
const lockPayment = eventStep('lockPayment', async ({ trx, input, state }) => {
  const locked = await lockOrderAndPayment(trx, input.event.paymentId)
  if (!locked) throw new NotFound(`No payment found for paymentId ${input.event.paymentId}`)
  state.payment = locked.payment
})

/** What the event contradicts in the payment (amount, currency…), and whether the payment is still open. */
const judge = eventStep('judge', ({ input, state }) => {
  state.rejected = contradictions(input.event, state.payment!)
  state.open = (OPEN_STATUSES as readonly string[]).includes(state.payment!.status)
})

/** A processed id answers `duplicate`, except a rejected one: it is refused again, never applied later. */
const duplicateOf = async (trx: Knex.Transaction, eventId: string): Promise<WebhookOutcome | Rejection> => {
  const first = await trx(EVENTS_TABLE).where({ eventId }).first('outcome', 'paymentId', 'payload', 'detail')
  if (first?.outcome !== 'rejected') return { received: true, duplicate: true }
  const payload = typeof first.payload === 'string' ? JSON.parse(first.payload) : first.payload
  const payment = await trx('payments').where({ id: first.paymentId }).first()
  const rejected = contradictions(payload, payment)
  // The recorded reason stands even if the payment no longer contradicts the stored event.
  if (!rejected.length) rejected.push({ field: 'id', message: `was ${first.detail}` })
  return { rejected, paymentId: first.paymentId }
}

/**
 * The event id recorded once: a unique column with `ON CONFLICT DO NOTHING` (not through `records`: a
 * concurrent or later delivery of the same id waits for the first and then finds it, instead of failing).
 */
const recordEvent = eventStep('recordEvent', async ({ trx, input, state }) => {
  const { event, payload } = input
  const { payment, rejected, open } = state as EventState
  const outcome = rejected.length ? 'rejected' : open ? 'applied' : 'ignored'
  const detail = rejected.length
    ? rejectionDetail(rejected)
    : open
      ? null
      : `payment was already ${payment.status}`
  const recorded = await trx(EVENTS_TABLE)
    .insert({
      eventId: event.id,
      type: event.type,
      paymentId: payment.id,
      outcome,
      detail,
      payload: JSON.stringify(payload)
    })
    .onConflict('eventId')
    .ignore()
    .returning('id')
  if (!recorded.length) state.outcome = await duplicateOf(trx, event.id)
  else if (rejected.length) state.outcome = { rejected, paymentId: payment.id }
  else if (!open)
    state.outcome = {
      received: true,
      ignored: `payment ${payment.id} is already ${payment.status}`,
      paymentId: payment.id
    }
})

/**
 * The payment's `capture` or `fail` transition (a capture's declared effect pays the order), for an event
 * recorded as applied.
 */
const settlePayment = eventStep('settlePayment', async ({ input, state, records }) => {
  if (state.outcome) return
  const { event } = input
  const payment = state.payment!
  const change: PaymentPatch =
    event.type === 'payment.captured'
      ? { status: 'captured', capturedCents: payment.amountCents }
      : {
          status: 'failed',
          failureReason: (event.failureReason ?? 'reported failed by the provider').slice(0, 500),
          ...(event.declineCode && { declineCode: event.declineCode.slice(0, 64) })
        }
  // Settled: what the client needed to finish it is no longer kept.
  Object.assign(change, { clientSecret: null, nextAction: null })
  // An event that overtook the provider's answer to the charge brings the reference that answer would have.
  if (!payment.providerRef && event.providerRef) change.providerRef = event.providerRef
  const settled = await records.patch('payments', payment.id, change)
  state.outcome = { received: true, paymentId: settled.id, status: settled.status }
})

/**
 * `applyPaymentEvent` (`POST /payments/webhook`, a verified event): applies a capture or failure exactly once,
 * in one transaction. An event for a payment no longer pending or authorized is recorded as `ignored`; one that
 * contradicts the payment is recorded as `rejected` and answered as such (the caller refuses it after the commit).
 */
export const applyPaymentEvent = defineCommand<PaymentEventInput, EventState, WebhookOutcome | Rejection>(
  'applyPaymentEvent',
  [lockPayment, judge, recordEvent, settlePayment],
  ({ state }) => state.outcome!
)
