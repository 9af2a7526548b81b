import { defineCommand, step } from '../../engine/runtime/command'
import { invalid } from '../../engine/errors'
import type { Order, OrderData } from '../../generated/types'
import { recordStockMove } from '../inventory/stock'
import { insertLines, priceLines, type Line } from './order-lines'

export interface PlaceOrderInput {
  /** The order as the create received it (validated, the owner set), `items` the client's lines. */
  order: Omit<OrderData, 'items'> & { userId: number }
  items: Line[]
}

interface PlaceOrderState {
  priced: Awaited<ReturnType<typeof priceLines>>
  order: Order
}

/** Every line priced from the products as they are now, one currency, a server-computed total. */
const price = step<PlaceOrderInput, PlaceOrderState>('priceLines', async ({ trx, input, state }) => {
  if (!input.items) throw invalid('items', 'is required')
  state.priced = await priceLines(trx, input.items)
})

/** The order row (its history entry is the `create` effect of the state machine). */
const recordOrder = step<PlaceOrderInput, PlaceOrderState>(
  'recordOrder',
  async ({ input, state, records }) => {
    const { totalCents, currency } = state.priced!
    state.order = await records.create('orders', {
      ...input.order,
      items: input.items, // validated with the order, never stored (a virtual field)
      totalCents,
      currency: currency as Order['currency'],
      refundedCents: 0
    })
  }
)

/** The lines, in one statement (order_items publish no events; the order's event carries them). */
const recordLines = step<PlaceOrderInput, PlaceOrderState>('recordLines', async ({ trx, state }) => {
  await insertLines(trx, state.order!, state.priced!.lines)
})

/** Stock taken line by line in product order, as every reservation goes: no two orders lock crosswise. */
const reserveStock = step<PlaceOrderInput, PlaceOrderState>(
  'reserveStock',
  async ({ trx, state, records, params }) => {
    for (const { productId, quantity } of state.priced!.lines) {
      const entry = { productId, orderId: state.order!.id, kind: 'reserve' as const, quantity: -quantity }
      await recordStockMove(records, trx, entry, params.user?.id ?? null)
    }
  }
)

/** The order as a read shows it, its lines included. */
const readBack = step<PlaceOrderInput, PlaceOrderState>('readBack', async ({ state, records }) => {
  state.order = await records.get('orders', state.order!.id)
})

/**
 * `placeOrder` (`POST /orders`): prices the lines on the server, records the order and its lines, and
 * reserves the stock, all or nothing (not enough stock of any line: a 409 naming the product, nothing kept).
 */
export const placeOrder = defineCommand<PlaceOrderInput, PlaceOrderState, Order>(
  'placeOrder',
  [price, recordOrder, recordLines, reserveStock, readBack],
  ({ state }) => state.order!
)
