import type { Params } from '@feathersjs/feathers'
import type { Knex } from 'knex'
import type { Application } from '../../declarations'
import type { ResourceDeclaration } from '../../engine/declarations/declaration'
import { providerFor } from './provider'
import { unmetRequirement } from '../../engine/pipeline/transition-steps'

/** Payments that still hold an order: a second payment for the order is refused while one exists. */
export const OPEN_STATUSES = ['pending', 'authorized'] as const
export const BLOCKING_STATUSES = [...OPEN_STATUSES, 'captured'] as const

/** Service-call params carrying the caller's transaction (`{ trx }`). */
export type TransactionParams = Params & { transaction?: { trx: Knex.Transaction } }

const trxOf = (params: TransactionParams) => {
  const trx = params.transaction?.trx
  if (!trx) throw new Error('payments: this step must run inside a transaction (params.transaction)')
  return trx
}

/**
 * Locks an order and then one of its payments, always in this order (orders before payments) so that
 * payments, webhooks, refunds and order changes cannot deadlock one another.
 */
export const lockOrderAndPayment = async (trx: Knex.Transaction, paymentId: number) => {
  const found = await trx('payments').where({ id: paymentId }).first('orderId')
  if (!found) return undefined
  const order = await trx('orders').where({ id: found.orderId }).forUpdate().first()
  const payment = await trx('payments').where({ id: paymentId }).forUpdate().first()
  return { order, payment }
}

export const ordersDeclaration = (app: Application): ResourceDeclaration | undefined =>
  app.get('resources')?.find((resource) => resource.name === 'orders')

/** Whether the orders state machine lets the server move an order from `from` to `to`. */
export const orderMayBecome = (app: Application, from: string, to: string) => {
  if (from === to) return true
  const machine = ordersDeclaration(app)?.states
  if (!machine) return true
  return Object.values(machine.transitions).some(
    (transition) => transition.to === to && transition.from.includes(from)
  )
}

/**
 * A captured payment pays its order — in the same transaction, through the orders service (an internal
 * call: the `pay` transition is `by: system`). Only a pending order whose total the capture covers
 * becomes `paid`; anything else (an order cancelled while an asynchronous payment was pending) is logged
 * and left for support, who can refund the payment.
 */
export const markOrderPaid = async (
  app: Application,
  payment: Record<string, any>,
  params: TransactionParams
) => {
  const trx = trxOf(params)
  const order = await trx('orders').where({ id: payment.orderId }).forUpdate().first()
  const covers = payment.capturedCents >= order.totalCents && payment.currency === order.currency
  const pay = ordersDeclaration(app)?.states?.transitions.pay
  const lacking = pay && unmetRequirement(pay, order)
  if (order.status !== 'pending' || !covers || lacking) {
    app.get('logger')?.warn(
      {
        paymentId: payment.id,
        orderId: order.id,
        orderStatus: order.status,
        capturedCents: payment.capturedCents,
        totalCents: order.totalCents,
        lacking
      },
      'captured payment did not pay its order (order no longer pending, total changed, or a required field unset): refund it'
    )
    return
  }
  await app.service('orders').patch(order.id, { status: 'paid' }, { transaction: params.transaction })
}

/**
 * Cancels an order's pending or authorized payments (at the provider, then here), in the caller's
 * transaction. For the orders behaviour to call when a pending order is cancelled, so that a late webhook
 * capture finds the payment cancelled rather than charging a cancelled order.
 */
export const cancelOpenPayments = async (app: Application, orderId: number, params: TransactionParams) => {
  const trx = trxOf(params)
  const open = await trx('payments')
    .where({ orderId })
    .whereIn('status', [...OPEN_STATUSES])
    .orderBy('id')
    .forUpdate()
  const provider = providerFor(app)
  for (const payment of open) {
    if (payment.providerRef) await provider.cancel({ providerRef: payment.providerRef })
    await app
      .service('payments')
      .patch(payment.id, { status: 'cancelled' }, { transaction: params.transaction })
  }
  return open.length
}
