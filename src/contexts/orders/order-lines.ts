import type { Knex } from 'knex'
import { invalid } from '../../engine/errors'

// An order's lines: priced from the products as they are now (a snapshot), stored in order_items.

export interface Line {
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
export const priceLines = async (trx: Knex.Transaction, items: Line[]) => {
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

export const storedLines = (trx: Knex | Knex.Transaction, orderIds: number[]) =>
  trx('order_items').whereIn('orderId', orderIds).orderBy('id')

export type PricedLines = Awaited<ReturnType<typeof priceLines>>['lines']

export interface OrderRow {
  id: number
  userId: number
}

/**
 * Writes an order's lines in one statement. Raw SQL gets no derived fields, so the owner the declaration
 * derives (`userId: derived: orderId.userId`) is written here.
 */
export const insertLines = async (trx: Knex.Transaction, order: OrderRow, lines: PricedLines) => {
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

export const replaceLines = async (trx: Knex.Transaction, order: OrderRow, lines: PricedLines) => {
  await trx('order_items').where({ orderId: order.id }).delete()
  await insertLines(trx, order, lines)
}
