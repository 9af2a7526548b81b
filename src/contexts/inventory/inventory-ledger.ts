import { Conflict, Forbidden } from '@feathersjs/errors'
import type { Knex } from 'knex'
import type { Behaviour } from '../../engine/runtime/behaviour'
import { invalid } from '../../engine/errors'

/**
 * Moves stock with one conditional UPDATE (`stock + q >= 0`) in the entry's transaction: concurrent
 * reservations queue on the product row and none can take stock below zero. products.stock is the sum
 * of the ledger because only this behaviour changes it, in the same transaction as the entry.
 */
export const moveStock = async (trx: Knex.Transaction, productId: number, quantity: number) => {
  const [row] = await trx('products')
    .where({ id: productId })
    .andWhere(trx.raw('?? + ? >= 0', ['stock', quantity]))
    .update({ stock: trx.raw('?? + ?', ['stock', quantity]), updatedAt: new Date().toISOString() })
    .returning(['id', 'stock'])
  if (row) return row.stock as number
  const product = await trx('products').where({ id: productId }).first('id', 'stock')
  if (!product) throw invalid('productId', `refers to no product (${productId})`)
  throw new Conflict(
    `Insufficient stock for product ${productId}: ${product.stock} available, ${-quantity} needed`,
    {
      field: 'quantity',
      productId,
      available: product.stock
    }
  )
}

export const inventoryLedger: Behaviour = {
  description: 'keeps products.stock equal to the ledger; stock never goes negative',
  around: {
    create: [
      async (context, next) => {
        const { data, params } = context
        if (params.provider) {
          if (!['receive', 'adjust'].includes(data.kind)) {
            throw new Forbidden(`Only orders ${data.kind} stock; receive or adjust it here`)
          }
          if (data.kind === 'receive' && !(data.quantity > 0))
            throw invalid('quantity', 'must be positive to receive stock')
          if (data.kind === 'adjust' && data.quantity === 0) throw invalid('quantity', 'must not be 0')
          if (data.kind === 'adjust' && !data.reason) throw invalid('reason', 'is required to adjust stock')
        }
        const stockAfter = await moveStock(params.transaction.trx, data.productId, data.quantity)
        context.data = { ...data, stockAfter, actorId: data.actorId ?? params.user?.id ?? null }
        await next()
      }
    ]
  }
}
