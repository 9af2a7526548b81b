import { Conflict } from '@feathersjs/errors'
import type { Knex } from 'knex'
import type { Behaviour } from '../../engine/runtime/behaviour'
import { invalid } from '../../engine/errors'
import { isAdministrator } from '../../auth/administrators'
import { moveReserved } from '../inventory/stock'

interface Line {
  productId: number
  quantity: number
}

/** Same product twice in one request counts once, with the quantities added. */
const mergeLines = (items: Line[]) => {
  const merged = new Map<number, number>()
  for (const { productId, quantity } of items) merged.set(productId, (merged.get(productId) ?? 0) + quantity)
  return [...merged]
    .map(([productId, quantity]) => ({ productId, quantity }))
    .sort((a, b) => a.productId - b.productId)
}

/** Prices every line from the products as they are now (the snapshot), all in one currency. */
const priceLines = async (trx: Knex.Transaction, items: Line[]) => {
  const lines = mergeLines(items)
  const products = await trx('products').whereIn(
    'id',
    lines.map((line) => line.productId)
  )
  const byId = new Map(products.map((product: any) => [product.id, product]))
  const priced = lines.map((line, index) => {
    const product: any = byId.get(line.productId)
    if (!product || product.status !== 'active')
      throw invalid(`items.${index}.productId`, 'is not an active product')
    return {
      productId: product.id,
      sku: product.sku,
      name: product.name,
      quantity: line.quantity,
      unitPriceCents: product.priceCents,
      lineTotalCents: product.priceCents * line.quantity,
      currency: product.currency as string
    }
  })
  const currencies = [...new Set(priced.map((line) => line.currency))]
  if (currencies.length > 1)
    throw invalid('items', `mixes currencies (${currencies.join(', ')}); order them separately`)
  return {
    lines: priced,
    currency: currencies[0],
    totalCents: priced.reduce((sum, line) => sum + line.lineTotalCents, 0)
  }
}

const storedLines = (trx: Knex | Knex.Transaction, orderIds: number[]) =>
  trx('order_items').whereIn('orderId', orderIds).orderBy('id')

type PricedLines = Awaited<ReturnType<typeof priceLines>>['lines']

interface OrderRow {
  id: number
  userId: number
}

/**
 * Writes an order's lines in one statement. Raw SQL gets no derived fields, so the owner the declaration
 * derives (`userId: derived: orderId.userId`) is written here.
 */
const insertLines = async (trx: Knex.Transaction, order: OrderRow, lines: PricedLines) => {
  const now = new Date().toISOString()
  await trx('order_items').insert(
    lines.map(({ currency: _currency, ...line }) => ({
      ...line,
      orderId: order.id,
      userId: order.userId,
      createdAt: now
    }))
  )
}

const replaceLines = async (trx: Knex.Transaction, order: OrderRow, lines: PricedLines) => {
  await trx('order_items').where({ orderId: order.id }).delete()
  await insertLines(trx, order, lines)
}

/**
 * Orders: server-side prices and totals, stock reserved with the order and released on cancel, lines
 * changed only while pending, and a paid order cancelled by an admin refunded in full. Everything in the
 * order's transaction: all or nothing. Reads include the lines through the declared relation (`items`,
 * `include: { default: [items] }`); a create or patch answers, and emits, the order with them too.
 */
export const orderLifecycle: Behaviour = {
  description: 'pricing, totals, stock reservation and release, order lines',
  around: {
    create: [
      async (context, next) => {
        const { items, ...data } = context.data
        if (!items) throw invalid('items', 'is required')
        const { trx } = context.params.transaction
        const priced = await priceLines(trx, items)
        context.data = { ...data, totalCents: priced.totalCents, currency: priced.currency, refundedCents: 0 }
        await next()
        const order = context.result
        await insertLines(trx, order, priced.lines)
        await moveReserved(context.app, context.params, order.id, priced.lines, 'reserve')
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
          const priced = await priceLines(trx, items)
          const before = new Map<number, number>()
          for (const line of await storedLines(trx, [current.id])) before.set(line.productId, line.quantity)
          const after = new Map(priced.lines.map((line) => [line.productId, line.quantity]))
          const productIds = [...new Set([...before.keys(), ...after.keys()])].sort((a, b) => a - b)
          const deltas = productIds.map((productId) => ({
            productId,
            quantity: (after.get(productId) ?? 0) - (before.get(productId) ?? 0)
          }))
          // One pass in product order (as every reservation goes): no two requests lock products crosswise.
          for (const { productId, quantity } of deltas) {
            if (quantity > 0)
              await moveReserved(context.app, params, current.id, [{ productId, quantity }], 'reserve')
            if (quantity < 0)
              await moveReserved(
                context.app,
                params,
                current.id,
                [{ productId, quantity: -quantity }],
                'release'
              )
          }
          await replaceLines(trx, current, priced.lines)
          context.data = { ...data, totalCents: priced.totalCents, currency: priced.currency }
        }
        await next()
      }
    ]
  }
}
