import { Conflict } from '@feathersjs/errors'
import type { Behaviour } from '../../engine/runtime/behaviour'
import { invalid } from '../../engine/errors'
import { isAdministrator } from '../../auth/administrators'
import { moveReserved } from '../inventory/stock'
import type { HookContext } from '../../declarations'
import { priceLines, replaceLines, storedLines, type Line, type OrderRow } from './order-lines'
import { placeOrder } from './place-order'

/**
 * New lines for a pending order: re-priced, and the reservation moved by the difference per product, in one pass
 * in product order (as every reservation goes: no two requests lock products crosswise).
 */
const changeLines = async (context: HookContext, order: OrderRow, items: Line[]) => {
  const { params } = context
  const { trx } = params.transaction
  const priced = await priceLines(trx, items)
  const before = new Map<number, number>()
  for (const line of await storedLines(trx, [order.id])) before.set(line.productId, line.quantity)
  const after = new Map(priced.lines.map((line) => [line.productId, line.quantity]))
  const productIds = [...new Set([...before.keys(), ...after.keys()])].sort((a, b) => a - b)
  for (const productId of productIds) {
    const quantity = (after.get(productId) ?? 0) - (before.get(productId) ?? 0)
    if (quantity === 0) continue
    const kind = quantity > 0 ? 'reserve' : 'release'
    await moveReserved(context.app, params, order.id, [{ productId, quantity: Math.abs(quantity) }], kind)
  }
  await replaceLines(trx, order, priced.lines)
  return priced
}

/**
 * Who cancelled, for the customer's notification and for support: the owner (`customer`) or the shop (`admin`).
 * The expiry job cancels through `records`, which skips this behaviour, and says `expired` itself.
 */
const cancelReason = (context: HookContext, order: OrderRow) => {
  const { transition, user } = context.params
  if (transition?.to !== 'cancelled' || context.data.cancelReason !== undefined || !user) return {}
  return { cancelReason: order.userId === user.id ? 'customer' : 'admin' }
}

/**
 * Orders: a create is the `placeOrder` command; a patch changes the lines of a pending order (re-priced,
 * re-reserved), says who cancelled one (`cancelReason`) and refuses what clients may not change. What a status
 * change does is declared in orders.yaml (effects in order-effects.ts). Reads and writes include the lines
 * through the declared relation (`items`).
 */
export const orderLifecycle: Behaviour = {
  description: 'placeOrder on create; line changes while pending (re-priced, re-reserved); who cancelled',
  around: {
    create: [
      async (context) => {
        // The command's write sets the timestamps again: what the client sent, with the owner the pipeline set.
        const { items, createdAt: _created, updatedAt: _updated, ...order } = context.data
        context.result = await placeOrder(context.app, { order, items }, context.params)
        context.event = null // the command's writes are the events
      }
    ],
    patch: [
      async (context, next) => {
        const { params } = context
        const { trx } = params.transaction
        const { items, ...data } = context.data
        const transition = params.transition
        // Clients change the status alone; the server (payments, refunds) may set amounts with it.
        if (
          params.provider &&
          transition &&
          (items || Object.keys(data).some((name) => !['status', 'version', 'updatedAt'].includes(name)))
        ) {
          throw invalid('status', 'changes alone: send other changes in a separate request')
        }
        // Within the caller's row scope first: someone else's order is a 404 before any rule says anything.
        await context.self._get(context.id, { query: params.query, transaction: params.transaction })
        const current = await trx('orders').where({ id: context.id }).forUpdate().first()
        const editsOrder =
          items !== undefined || data.note !== undefined || data.shippingAddress !== undefined
        const staff = isAdministrator(context.app, params.user)
        if (
          params.provider &&
          editsOrder &&
          current.status !== 'pending' &&
          !(staff && items === undefined)
        ) {
          throw new Conflict(`Order ${current.id} is ${current.status}; only pending orders can be changed`, {
            field: 'status'
          })
        }
        if (
          items !== undefined &&
          (await trx('payments')
            .where({ orderId: current.id })
            .whereIn('status', ['pending', 'authorized'])
            .first())
        ) {
          throw new Conflict(`Order ${current.id} has a payment in progress; its items cannot change now`, {
            field: 'items'
          })
        }
        if (items !== undefined) {
          const priced = await changeLines(context, current, items)
          context.data = { ...data, totalCents: priced.totalCents, currency: priced.currency }
        }
        context.data = { ...context.data, ...cancelReason(context, current) }
        await next()
      }
    ]
  }
}
