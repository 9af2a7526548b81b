import type { Knex } from 'knex'
import { defineCommand, step } from '../../engine/runtime/command'

export interface ExpireOrderInput {
  orderId: number
  /** Orders created before this instant are due (now minus `ORDER_PENDING_TTL`). */
  cutoff: Date
}

interface ExpireOrderState {
  order: Record<string, any>
  due: boolean
}

/** Payments still waiting for the provider's answer (sim_async, a two-phase payment not yet settled). */
const OPEN_PAYMENTS = ['pending', 'authorized']

/**
 * Whether an order has a payment in flight that started after `cutoff`: the customer is paying right now, so the
 * order waits for the answer (a capture pays it, a failure lets it expire on a later run). One that has waited
 * longer than the TTL itself is stuck, and the order expires: the `cancel` effect cancels that payment.
 */
export const paymentInFlight = (
  trx: Knex | Knex.Transaction,
  orderId: number | Knex.Ref<string, any>,
  cutoff: Date
) =>
  trx('payments')
    .where('payments.orderId', orderId)
    .whereIn('payments.status', OPEN_PAYMENTS)
    .where('payments.updatedAt', '>=', cutoff)

/**
 * The row locked, or skipped when another transaction holds it: a second worker expiring it, or the customer
 * paying it right now. Either way this run leaves it, and a later run looks again.
 */
const lockOrder = step<ExpireOrderInput, ExpireOrderState>('lockOrder', async ({ trx, input, state }) => {
  state.order = await trx('orders').where({ id: input.orderId }).forUpdate().skipLocked().first()
})

/** Looked at again under the lock: paid, cancelled, or paying since the candidates were read means not due. */
const checkDue = step<ExpireOrderInput, ExpireOrderState>('checkDue', async ({ trx, input, state }) => {
  const order = state.order
  state.due =
    !!order &&
    order.status === 'pending' &&
    new Date(order.createdAt) < input.cutoff &&
    !(await paymentInFlight(trx, order.id, input.cutoff).first('id'))
})

/**
 * The declared `cancel` transition, by the system: its effects release the reserved stock, cancel open payments
 * and write the history entry; the outbox gets `orders.patched` and `orders.cancelled`.
 */
const cancelExpired = step<ExpireOrderInput, ExpireOrderState>(
  'cancelExpired',
  async ({ state, records }) => {
    if (!state.due) return
    state.order = await records.patch('orders', state.order!.id, {
      status: 'cancelled',
      cancelReason: 'expired'
    })
  }
)

/**
 * `expireOrder`: one pending order left unpaid longer than `ORDER_PENDING_TTL` is cancelled with the reason
 * `expired`, in its own transaction. Safe to run twice at once for one order: the row lock and the re-check make
 * the second a no-op, so the stock is released once. Answers whether it expired the order.
 */
export const expireOrder = defineCommand<ExpireOrderInput, ExpireOrderState, boolean>(
  'expireOrder',
  [lockOrder, checkDue, cancelExpired],
  ({ state }) => !!state.due
)
