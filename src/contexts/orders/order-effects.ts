import type { Effect, StepParams } from '../../engine/runtime/guards-and-effects'
import { moveReserved, recordShipment } from '../inventory/stock'

/** The order's lines as stored, in product order (the order they were reserved in). */
const linesOf = (params: StepParams, orderId: number) =>
  params.transaction.trx('order_items').where({ orderId }).orderBy('productId')

/** Every change of an order's status, the first on create included, in its history (`GET /order-history`). */
export const recordOrderHistory: Effect = async ({ app, params, transition, record }) => {
  await app.service('order-history').create(
    {
      orderId: record.id,
      transition: transition.name,
      fromStatus: transition.from ?? '',
      toStatus: transition.to,
      actorId: params.user?.id ?? null
    },
    { transaction: params.transaction }
  )
}

/** Cancelling gives back exactly the stock the order still holds. */
export const releaseOrderStock: Effect = async ({ app, params, record }) => {
  await moveReserved(app, params, record.id, await linesOf(params, record.id), 'release')
}

/** Refunded in full before it shipped: the goods go back to stock (from paid or partially refunded only). */
export const restockUnshipped: Effect = async (context) => {
  if (['paid', 'partially_refunded'].includes(context.transition.from ?? '')) await releaseOrderStock(context)
}

/** Shipping records, per line, that the reserved goods left. */
export const recordOrderShipment: Effect = async ({ app, params, record }) => {
  await recordShipment(app, params, record.id, await linesOf(params, record.id))
}
