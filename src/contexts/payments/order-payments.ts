import type { Params } from '@feathersjs/feathers'
import type { Knex } from 'knex'
import type { Application } from '../../declarations'
import type { ResourceDeclaration } from '../../engine/declarations/declaration'

/** Payments that still hold an order: a second payment for the order is refused while one exists. */
export const OPEN_STATUSES = ['pending', 'authorized'] as const
export const BLOCKING_STATUSES = [...OPEN_STATUSES, 'captured'] as const

/** Service-call params carrying the caller's transaction (`{ trx }`). */
export type TransactionParams = Params & { transaction?: { trx: Knex.Transaction } }

export const trxOf = (params: TransactionParams) => {
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
