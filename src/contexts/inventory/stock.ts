import type { Params } from '@feathersjs/feathers'
import type { Knex } from 'knex'
import type { Application } from '../../declarations'
import type { Records } from '../../engine/runtime/records'
import { moveStock } from './inventory-ledger'
import type { ServerParams } from '../../engine/runtime/typed-service'
import type { InventoryData } from '../../generated/types'

export interface StockLine {
  productId: number
  quantity: number
}

/** Service-call params carrying the caller's transaction: every entry commits or rolls back with it. */
type InTransaction = Params & Pick<ServerParams, 'transaction'>

/** One ledger entry, through the inventory resource (its behaviour moves products.stock with it). */
const entry = (app: Application, params: InTransaction, data: InventoryData) =>
  app.service('inventory').create(data, { transaction: params.transaction })

/**
 * Reserves (takes) or releases (gives back) stock for an order, line by line in the order given — callers
 * pass lines in product order, as every reservation goes, so no two requests lock products crosswise.
 */
export const moveReserved = async (
  app: Application,
  params: InTransaction,
  orderId: number,
  lines: StockLine[],
  kind: 'reserve' | 'release'
) => {
  for (const { productId, quantity } of lines) {
    if (quantity === 0) continue
    await entry(app, params, {
      productId,
      orderId,
      kind,
      quantity: kind === 'reserve' ? -quantity : quantity
    })
  }
}

/** A shipment moves no stock (it was reserved with the order): the ledger records that it left. */
export const recordShipment = async (
  app: Application,
  params: InTransaction,
  orderId: number,
  lines: StockLine[]
) => {
  for (const { productId } of lines) {
    await entry(app, params, { productId, orderId, kind: 'ship', quantity: 0, reason: 'shipped' })
  }
}

/**
 * For a command: the stock moves (never below zero) and the ledger entry is written through `records`, in the
 * command's transaction — what the inventory behaviour does for `POST /inventory`, done as a step.
 */
export const recordStockMove = async (
  records: Records,
  trx: Knex.Transaction,
  entry: { productId: number; orderId: number; kind: 'reserve' | 'release'; quantity: number },
  actorId: number | null
) => {
  const stockAfter = await moveStock(trx, entry.productId, entry.quantity)
  await records.create('inventory', { ...entry, stockAfter, actorId })
}
